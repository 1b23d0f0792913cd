#include "core/api_data.hpp"

#include <algorithm>
#include <cmath>

#include "core/snapshot.hpp"
#include "geo/polygon.hpp"

namespace crimemap::core {
namespace {
constexpr int index_zoom = 10;
constexpr double cell_size = geo::kWorldSize / (1 << index_zoom);

std::uint32_t cell_of(std::int64_t cx, std::int64_t cy) {
    return static_cast<std::uint32_t>((cx << index_zoom) | cy);
}
std::int64_t cell_coord(double v) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(v / cell_size)), 0,
                                    (1 << index_zoom) - 1);
}
}  // namespace

const Team* TeamDirectory::find(std::string_view force, std::string_view id) const {
    auto it =
        std::lower_bound(teams.begin(), teams.end(), std::pair(force, id), [](const Team& t, const auto& k) {
            return std::pair<std::string_view, std::string_view>(t.force_id, t.id) < k;
        });
    if (it == teams.end() || it->force_id != force || it->id != id) return nullptr;
    return &*it;
}

std::vector<const Team*> TeamDirectory::of_force(std::string_view force) const {
    std::vector<const Team*> out;
    for (const auto& t : teams)
        if (t.force_id == force) out.push_back(&t);
    return out;
}

void TeamDirectory::sort() {
    std::sort(teams.begin(), teams.end(), [](const Team& a, const Team& b) {
        return std::tie(a.force_id, a.id) < std::tie(b.force_id, b.id);
    });
}

AreaIndex::AreaIndex(const Snapshot& snapshot, AreaKind kind) {
    for (auto i : snapshot.areas_by_kind[static_cast<std::size_t>(kind)]) {
        const auto& b = snapshot.areas[i].bounds;
        if (b.empty()) continue;
        for (auto cx = cell_coord(b.min_x); cx <= cell_coord(b.max_x); ++cx)
            for (auto cy = cell_coord(b.min_y); cy <= cell_coord(b.max_y); ++cy)
                cells_[cell_of(cx, cy)].push_back(i);
    }
}

const Area* AreaIndex::locate(const Snapshot& snapshot, geo::LonLat p) const {
    if (cells_.empty() || !std::isfinite(p.lon) || !std::isfinite(p.lat)) return nullptr;
    const auto w = geo::to_world_xy(p);
    auto it = cells_.find(cell_of(cell_coord(w.x), cell_coord(w.y)));
    if (it == cells_.end()) return nullptr;
    for (auto i : it->second) {
        const auto& a = snapshot.areas[i];
        if (a.bounds.contains(w) && !a.levels.empty() && geo::contains(a.levels.back(), w)) return &a;
    }
    return nullptr;
}

std::vector<std::uint32_t> AreaIndex::candidates(const geo::Box& box) const {
    std::vector<std::uint32_t> out;
    if (box.empty()) return out;
    for (auto cx = cell_coord(box.min_x); cx <= cell_coord(box.max_x); ++cx)
        for (auto cy = cell_coord(box.min_y); cy <= cell_coord(box.max_y); ++cy)
            if (auto it = cells_.find(cell_of(cx, cy)); it != cells_.end())
                out.insert(out.end(), it->second.begin(), it->second.end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

const Force* ApiData::force(std::string_view id) const {
    auto it = std::lower_bound(forces.begin(), forces.end(), id,
                               [](const Force& f, std::string_view k) { return f.id < k; });
    return it != forces.end() && it->id == id ? &*it : nullptr;
}

const Force* ApiData::force_by_pfa(std::string_view pfa_code) const {
    if (pfa_code.empty()) return nullptr;
    for (const auto& f : forces)
        if (f.pfa_code == pfa_code) return &f;
    return nullptr;
}

std::string ApiData::name_of(std::string_view code) const {
    if (code.empty()) return {};
    const std::string key(code);
    if (auto it = code_names.find(key); it != code_names.end()) return it->second;
    if (auto it = area_names.find(key); it != area_names.end()) return it->second;
    return std::string(builtin_code_name(code));
}

std::string_view ApiData::keyed_value(std::string_view kind, std::string_view code) const {
    if (code.empty()) return {};
    auto k = keyed.find(std::string(kind));
    if (k == keyed.end()) return {};
    auto it = k->second.find(std::string(code));
    return it == k->second.end() ? std::string_view{} : std::string_view(it->second);
}

void ApiData::index_areas(const Snapshot& snapshot) {
    for (auto kind : all_area_kinds) area_index[static_cast<std::size_t>(kind)] = AreaIndex(snapshot, kind);
    for (const auto& a : snapshot.areas) area_names.emplace(a.code, a.name);
    for (const auto& r : postcodes.records()) {
        auto lsoa = postcodes.code(r, PcCode::lsoa);
        auto lad = postcodes.code(r, PcCode::lad);
        if (!lsoa.empty() && !lad.empty()) lsoa_district.try_emplace(std::string(lsoa), std::string(lad));
    }
    const auto& nb_index = area_index[static_cast<std::size_t>(AreaKind::neighbourhood)];
    for (auto i : snapshot.areas_by_kind[static_cast<std::size_t>(AreaKind::lsoa)]) {
        const auto& a = snapshot.areas[i];
        if (!a.population || a.bounds.empty()) continue;
        auto centre = geo::from_world_xy(
            {(a.bounds.min_x + a.bounds.max_x) / 2, (a.bounds.min_y + a.bounds.max_y) / 2});
        if (const auto* nb = nb_index.locate(snapshot, centre))
            neighbourhood_population[nb->code] += *a.population;
    }
}

std::string_view builtin_code_name(std::string_view code) noexcept {
    static constexpr std::pair<std::string_view, std::string_view> names[] = {
        {"E92000001", "England"},
        {"W92000004", "Wales"},
        {"S92000003", "Scotland"},
        {"N92000002", "Northern Ireland"},
        {"L93000001", "Channel Islands"},
        {"M83000003", "Isle of Man"},
        {"E12000001", "North East"},
        {"E12000002", "North West"},
        {"E12000003", "Yorkshire and The Humber"},
        {"E12000004", "East Midlands"},
        {"E12000005", "West Midlands"},
        {"E12000006", "East of England"},
        {"E12000007", "London"},
        {"E12000008", "South East"},
        {"E12000009", "South West"},
    };
    for (const auto& [c, n] : names)
        if (c == code) return n;
    return {};
}

}  // namespace crimemap::core
