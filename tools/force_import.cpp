#include "tools/force_import.hpp"

#include <cstdio>

#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/csv.hpp"
#include "tools/import_command.hpp"

namespace crimemap::tools {
namespace fs = std::filesystem;
using nlohmann::json;

std::string people_file_force(std::string_view name) {
    for (std::string_view suffix : {"-people.json", ".people.json"})
        if (name.size() > suffix.size() && name.ends_with(suffix))
            return std::string(name.substr(0, name.size() - suffix.size()));
    return {};
}

namespace {

bool slug(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}

// A string field, absent or null as nullopt; another type is an error.
bool text_field(const json& o, const char* key, std::optional<std::string>& out, std::string& error) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return true;
    if (!it->is_string()) {
        error = std::string("'") + key + "' is not a string";
        return false;
    }
    out = std::string(trim(it->get<std::string>()));
    return true;
}

std::optional<std::vector<ForcePerson>> parse_people(const json& list, std::string& error) {
    if (!list.is_array()) {
        error = "'people' is not an array";
        return std::nullopt;
    }
    std::vector<ForcePerson> out;
    for (const auto& p : list) {
        if (!p.is_object()) {
            error = "a person is not an object";
            return std::nullopt;
        }
        std::optional<std::string> name, rank, bio;
        if (!text_field(p, "name", name, error) || !text_field(p, "rank", rank, error) ||
            !text_field(p, "bio", bio, error))
            return std::nullopt;
        if (!name || name->empty()) {
            error = "a person without a name";
            return std::nullopt;
        }
        ForcePerson person{*name, rank.value_or(""), bio.value_or(""), json::object()};
        if (auto c = p.find("contact_details"); c != p.end() && !c->is_null()) {
            if (!c->is_object()) {
                error = "contact_details of " + *name + " is not an object";
                return std::nullopt;
            }
            person.contact_details = *c;
        }
        out.push_back(std::move(person));
    }
    return out;
}

std::optional<ForceDetails> parse_force(const json& o, std::string& error) {
    if (!o.is_object()) {
        error = "a force is not an object";
        return std::nullopt;
    }
    ForceDetails f;
    std::optional<std::string> id, name;
    if (!text_field(o, "id", id, error) || !text_field(o, "name", name, error) ||
        !text_field(o, "description", f.description, error) || !text_field(o, "url", f.url, error) ||
        !text_field(o, "telephone", f.telephone, error))
        return std::nullopt;
    if (!id || !slug(*id)) {
        error = "a force without a police.uk id (lower-case letters, digits, hyphens)";
        return std::nullopt;
    }
    f.id = *id;
    f.name = name.value_or("");
    if (auto m = o.find("engagement_methods"); m != o.end() && !m->is_null()) {
        if (!m->is_array()) {
            error = "engagement_methods of " + f.id + " is not an array";
            return std::nullopt;
        }
        for (const auto& e : *m) {
            if (!e.is_object()) {
                error = "an engagement method of " + f.id + " is not an object";
                return std::nullopt;
            }
            for (const char* k : {"title", "url", "description", "type"})
                if (auto v = e.find(k); v != e.end() && !v->is_null() && !v->is_string()) {
                    error = std::string("engagement method '") + k + "' of " + f.id + " is not a string";
                    return std::nullopt;
                }
        }
        f.engagement_methods = *m;
    }
    if (auto p = o.find("people"); p != o.end() && !p->is_null()) {
        f.people = parse_people(*p, error);
        if (!f.people) return std::nullopt;
    }
    return f;
}

}  // namespace

ForceDocument parse_force_document(const json& doc, const std::string& people_of) {
    ForceDocument out;
    if (!people_of.empty()) {
        if (!slug(people_of)) {
            out.error = "'" + people_of + "' is not a police.uk force id";
            return out;
        }
        auto people = parse_people(doc, out.error);
        if (people) out.forces.push_back(ForceDetails{people_of, "", {}, {}, {}, {}, std::move(people)});
        return out;
    }
    if (doc.is_array()) {
        for (const auto& f : doc) {
            auto parsed = parse_force(f, out.error);
            if (!parsed) {
                out.forces.clear();
                return out;
            }
            out.forces.push_back(std::move(*parsed));
        }
        return out;
    }
    auto parsed = parse_force(doc, out.error);
    if (parsed) out.forces.push_back(std::move(*parsed));
    return out;
}

namespace {

constexpr std::string_view kHelp =
    "usage: crimemap import forces [--database-url URL] PATH...\n"
    "\n"
    "Loads force details in police.uk's JSON shapes (.json files; folders are searched):\n"
    "  <anything>.json           a force as /api/forces/{id} gives it (id, name, description, url,\n"
    "                            telephone, engagement_methods), optionally with \"people\": its\n"
    "                            senior officers as /api/forces/{id}/people gives them; or an array\n"
    "  <id>-people.json          just the people array of force <id>\n"
    "Fields that are absent keep their stored value; people given replace the force's people.\n"
    "A force not yet known is added (it then needs a name). Serves /api/forces/{id} and\n"
    "/api/forces/{id}/people. Run `crimemap refresh` afterwards.\n"
    "\n"
    "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)";

void write_force(store::Connection& db, const ForceDetails& f, const std::string& file) {
    store::Transaction tx(db);
    auto exists = db.query("SELECT 1 FROM forces WHERE id = $1", {f.id}).size() > 0;
    if (!exists) {
        if (f.name.empty()) throw CliError(file + ": force '" + f.id + "' is not known and has no name");
        db.query("INSERT INTO forces (id, name) VALUES ($1, $2)", {f.id, f.name});
    }
    auto opt = [](const std::optional<std::string>& v) { return v; };
    std::optional<std::string> methods;
    if (f.engagement_methods) methods = f.engagement_methods->dump();
    db.query(
        "UPDATE forces SET name = coalesce(nullif($2, ''), name), description = coalesce($3, description),"
        " url = coalesce($4, url), telephone = coalesce($5, telephone),"
        " engagement_methods = coalesce($6::jsonb, engagement_methods) WHERE id = $1",
        {f.id, f.name, opt(f.description), opt(f.url), opt(f.telephone), methods});
    if (f.people) {
        db.query("DELETE FROM force_people WHERE force_id = $1", {f.id});
        int seq = 0;
        for (const auto& p : *f.people)
            db.query(
                "INSERT INTO force_people (force_id, seq, name, rank, bio, contact_details)"
                " VALUES ($1, $2, $3, nullif($4, ''), nullif($5, ''), $6::jsonb)",
                {f.id, std::to_string(seq++), p.name, p.rank, p.bio, p.contact_details.dump()});
    }
    tx.commit();
}

}  // namespace

int cmd_import_forces(const std::vector<std::string>& argv) {
    auto opened = open_import(argv, {kHelp,
                                     {},
                                     {},
                                     [](const fs::path& p) { return name_ends_with(p, ".json"); },
                                     "no .json files under the given paths"});
    if (auto* status = std::get_if<int>(&opened)) return *status;
    auto& s = std::get<ImportSession>(opened);
    std::size_t forces = 0, people = 0;
    for (const auto& path : s.files) {
        json doc;
        try {
            auto src = open_file_source(path.string());
            std::string text;
            char buf[65536];
            while (std::size_t n = src->read(buf, sizeof buf)) text.append(buf, n);
            // police.uk's files may start with a UTF-8 byte order mark.
            if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
            doc = json::parse(text);
        } catch (const json::exception& e) {
            throw CliError(path.string() + ": not valid JSON (" + e.what() + ")");
        }
        auto parsed = parse_force_document(doc, people_file_force(path.filename().string()));
        if (!parsed.error.empty()) throw CliError(path.string() + ": " + parsed.error);
        for (const auto& f : parsed.forces) {
            write_force(s.db, f, path.string());
            ++forces;
            if (f.people) people += f.people->size();
            std::printf("%s: %s%s\n", path.filename().string().c_str(), f.id.c_str(),
                        f.people ? (" (" + std::to_string(f.people->size()) + " people)").c_str() : "");
        }
    }
    std::printf("import forces: %zu forces, %zu people in %.1f s; run crimemap refresh to publish them\n",
                forces, people, s.seconds());
    return 0;
}

}  // namespace crimemap::tools
