#pragma once
// "Similar areas", in the spirit of the Home Office's most similar groups: for an LSOA, ward,
// district, force area or neighbourhood, the areas of the same kind most like it by
//   - the seven domains of the English Indices of Deprivation 2019 (an LSOA's ranks; for a larger
//     area the population-weighted mean rank of the LSOAs whose representative point lies in it),
//   - population density (log10 residents per km2),
// each standardised (z-score over every area of that kind with a complete profile), and
//   - the ONS 2011 area classification: 1 - the overlap of the two areas' population shares by
//     supergroup (for two LSOAs 0 when they share a supergroup, else 1), weighted 2.
// Distance = sqrt(sum of squared z differences + 2 * classification difference^2), smallest first.
// A larger area has a profile when LSOAs with deprivation and classification data hold at least
// 90 % of its population. Each similar area comes with its crime rate per 1,000 for the period, and
// the group with its pooled average and range. Pure; reads the snapshot only.
#include <optional>
#include <string_view>
#include <vector>

#include "core/postcode_api.hpp"
#include "core/snapshot.hpp"
#include "core/tile_query.hpp"

namespace crimemap::core {

inline constexpr std::size_t similar_default = 10;
inline constexpr std::size_t similar_max = 50;
inline constexpr double similarity_class_weight = 2.0;
inline constexpr double similarity_min_coverage = 0.9;  // population share of LSOAs with data

// Fills Snapshot::similarity from the areas' populations, surfaces, parents, deprivation and
// classification (SnapshotBuilder::finish calls it).
void build_similarity_index(Snapshot& s);

enum class Within : unsigned char { country, force };

struct SimilarArea {
    const Area* area = nullptr;
    double distance = 0;
};
// The n areas most like `area` (itself excluded), nearest first; empty when it has no profile.
// Within::force keeps those in the same police force area.
std::vector<SimilarArea> find_similar(const Snapshot& s, const Area& area, std::size_t n, Within within);
// The profile of an area, or nullptr.
const AreaProfile* profile_of(const Snapshot& s, const Area& area);

// The crime period league tables and comparisons use: from/to/category as for tiles, but without
// from and to it is the latest 12 months of data (fewer when the data holds fewer).
Result<CrimeFilter> parse_comparison_filter(const QueryParams& params, const Snapshot& s);
std::uint64_t filtered_crimes(const Snapshot& s, const Area& a, const CrimeFilter& f);

// The similar-areas comparison as JSON: the area, its n similar areas with their rates, the group's
// pooled average and range and where the area stands against it. For the summary and meeting pack.
nlohmann::json similar_comparison_json(const Snapshot& s, const Area& area, std::size_t n, Within within,
                                       const CrimeFilter& f);

// GET /v1/areas/{code}/similar?n=10&within=force|country[&from&to&category]
JsonReply similar_areas(const Snapshot& s, std::string_view code, const QueryParams& params);

}  // namespace crimemap::core
