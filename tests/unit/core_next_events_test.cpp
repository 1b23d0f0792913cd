// Which team events count as "next" (postcode summary, meeting pack): from today while the crime
// data is current; from the day after the data's latest month when the data is historical and the
// team has nothing scheduled from today (the bundled 2018-19 sample's demo meetings).
#include <gtest/gtest.h>

#include "core/api_data.hpp"
#include "core/meeting_pack.hpp"
#include "core/snapshot_builder.hpp"
#include "core/summary.hpp"

using namespace crimemap;

namespace {

std::chrono::system_clock::time_point day(int y, unsigned m, unsigned d) {
    return std::chrono::sys_days{std::chrono::year(y) / std::chrono::month(m) / std::chrono::day(d)} +
           std::chrono::hours(12);
}

std::shared_ptr<const core::Snapshot> snapshot() {
    core::SnapshotBuilder b(1, core::Month::from_year_month(2018, 10), core::Month::from_year_month(2019, 2));
    b.add_area(core::AreaKind::neighbourhood, "west-mercia/HE06", "Central", std::nullopt,
               {{{{-2.75, 52.04}, {-2.68, 52.04}, {-2.68, 52.08}, {-2.75, 52.08}, {-2.75, 52.04}}}});
    return b.finish();
}

core::Team team_with(std::vector<std::string> starts) {
    core::Team t;
    t.force_id = "west-mercia";
    t.id = "HE06";
    t.name = "Central";
    std::int64_t id = 0;
    for (auto& s : starts)
        t.events.push_back({++id, "Meeting", "", "", "meeting", s, "", nlohmann::json::object()});
    return t;
}

}  // namespace

TEST(NextEvents, FromTodayWhileTheDataIsCurrent) {
    auto s = snapshot();  // data ends 2019-02
    auto t = team_with({"2019-01-15T19:00:00", "2019-03-12T19:00:00", "2019-05-14T19:00:00"});
    // Up to three months after the data's last month the data counts as current: from today.
    auto f = core::next_events_from(*s, &t, day(2019, 5, 1));
    EXPECT_EQ(f.date, "2019-05-01");
    EXPECT_FALSE(f.historical);
    f = core::next_events_from(*s, &t, day(2019, 3, 20));
    EXPECT_EQ(f.date, "2019-03-20");
}

TEST(NextEvents, FromTheDayAfterTheDataWhenHistorical) {
    auto s = snapshot();
    auto t = team_with({"2019-01-15T19:00:00", "2019-03-12T19:00:00", "2019-05-14T19:00:00"});
    auto f = core::next_events_from(*s, &t, day(2026, 6, 1));
    EXPECT_EQ(f.date, "2019-03-01");
    EXPECT_TRUE(f.historical);
    // A real upcoming event wins over the historical fallback.
    t.events.push_back(
        {9, "Surgery", "", "", "meeting", "2026-07-01T10:00:00", "", nlohmann::json::object()});
    f = core::next_events_from(*s, &t, day(2026, 6, 1));
    EXPECT_EQ(f.date, "2026-06-01");
    EXPECT_FALSE(f.historical);
    // No team: nothing to show, today is as good as any.
    EXPECT_FALSE(core::next_events_from(*s, nullptr, day(2026, 6, 1)).historical);
}

TEST(NextEvents, MeetingPackAndSummaryUseTheRule) {
    auto s = snapshot();
    core::TeamDirectory dir;
    dir.teams.push_back(team_with({"2019-01-15T19:00:00", "2019-03-12T19:00:00", "2019-05-14T19:00:00"}));
    dir.sort();
    auto pack = core::build_meeting_pack(*s, dir, "west-mercia", "HE06",
                                         core::Month::from_year_month(2019, 2), day(2026, 6, 1));
    ASSERT_TRUE(pack);
    ASSERT_EQ(pack->next_events.size(), 2u);
    EXPECT_EQ(pack->next_events[0]->start_date, "2019-03-12T19:00:00");
    auto j = core::meeting_pack_json(*pack);
    EXPECT_EQ(j["next_events_from"]["date"], "2019-03-01");
    EXPECT_EQ(j["next_events_from"]["basis"], "as_of_data");
    auto html = core::meeting_pack_html(*pack);
    EXPECT_NE(html.find("Meetings from 2019-03-01"), std::string::npos);
    EXPECT_NE(html.find("2019-05-14 19:00"), std::string::npos);
    EXPECT_EQ(html.find("2019-01-15"), std::string::npos);  // past already when the data ends
    // In 2019 itself (current data) the pack lists from today.
    pack = core::build_meeting_pack(*s, dir, "west-mercia", "HE06", std::nullopt, day(2019, 4, 1));
    ASSERT_TRUE(pack);
    ASSERT_EQ(pack->next_events.size(), 1u);
    EXPECT_EQ(pack->next_events[0]->start_date, "2019-05-14T19:00:00");
    EXPECT_FALSE(pack->next_events_historical);
}
