#include "tools/forces.hpp"

#include <array>

namespace crimemap::tools {
namespace {
constexpr std::array<ForceInfo, 45> forces{{
    {"avon-and-somerset", "Avon and Somerset Constabulary", "E23000036"},
    {"bedfordshire", "Bedfordshire Police", "E23000026"},
    {"cambridgeshire", "Cambridgeshire Constabulary", "E23000023"},
    {"cheshire", "Cheshire Constabulary", "E23000006"},
    {"city-of-london", "City of London Police", "E23000034"},
    {"cleveland", "Cleveland Police", "E23000013"},
    {"cumbria", "Cumbria Constabulary", "E23000002"},
    {"derbyshire", "Derbyshire Constabulary", "E23000018"},
    {"devon-and-cornwall", "Devon & Cornwall Police", "E23000035"},
    {"dorset", "Dorset Police", "E23000039"},
    {"durham", "Durham Constabulary", "E23000008"},
    {"dyfed-powys", "Dyfed-Powys Police", "W15000004"},
    {"essex", "Essex Police", "E23000028"},
    {"gloucestershire", "Gloucestershire Constabulary", "E23000037"},
    {"greater-manchester", "Greater Manchester Police", "E23000005"},
    {"gwent", "Gwent Police", "W15000002"},
    {"hampshire", "Hampshire Constabulary", "E23000030"},
    {"hertfordshire", "Hertfordshire Constabulary", "E23000027"},
    {"humberside", "Humberside Police", "E23000012"},
    {"kent", "Kent Police", "E23000032"},
    {"lancashire", "Lancashire Constabulary", "E23000003"},
    {"leicestershire", "Leicestershire Police", "E23000021"},
    {"lincolnshire", "Lincolnshire Police", "E23000020"},
    {"merseyside", "Merseyside Police", "E23000004"},
    {"metropolitan", "Metropolitan Police Service", "E23000001"},
    {"norfolk", "Norfolk Constabulary", "E23000024"},
    {"north-wales", "North Wales Police", "W15000001"},
    {"north-yorkshire", "North Yorkshire Police", "E23000009"},
    {"northamptonshire", "Northamptonshire Police", "E23000022"},
    {"northumbria", "Northumbria Police", "E23000007"},
    {"nottinghamshire", "Nottinghamshire Police", "E23000019"},
    {"south-wales", "South Wales Police", "W15000003"},
    {"south-yorkshire", "South Yorkshire Police", "E23000011"},
    {"staffordshire", "Staffordshire Police", "E23000015"},
    {"suffolk", "Suffolk Constabulary", "E23000025"},
    {"surrey", "Surrey Police", "E23000031"},
    {"sussex", "Sussex Police", "E23000033"},
    {"thames-valley", "Thames Valley Police", "E23000029"},
    {"warwickshire", "Warwickshire Police", "E23000017"},
    {"west-mercia", "West Mercia Police", "E23000016"},
    {"west-midlands", "West Midlands Police", "E23000014"},
    {"west-yorkshire", "West Yorkshire Police", "E23000010"},
    {"wiltshire", "Wiltshire Police", "E23000038"},
    {"btp", "British Transport Police", ""},
    {"northern-ireland", "Police Service of Northern Ireland", ""},
}};
}  // namespace

std::span<const ForceInfo> known_forces() { return forces; }

const ForceInfo* find_force(std::string_view id) {
    for (const auto& f : forces)
        if (f.id == id) return &f;
    return nullptr;
}

void insert_force(store::Connection& db, std::string_view id, std::string_view fallback_name) {
    const ForceInfo* info = find_force(id);
    store::Params p{std::string(id), std::string(info ? info->name : fallback_name)};
    p.push_back(info && !info->pfa_code.empty() ? std::optional<std::string>(std::string(info->pfa_code))
                                                : std::nullopt);
    db.query("INSERT INTO forces (id, name, pfa_code) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING", p);
}

}  // namespace crimemap::tools
