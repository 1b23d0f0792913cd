#include "tools/osgb.hpp"

#include <proj.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace crimemap::tools {

struct OsgbToWgs84::Impl {
    struct CtxDeleter {
        void operator()(PJ_CONTEXT* c) const noexcept { proj_context_destroy(c); }
    };
    struct PjDeleter {
        void operator()(PJ* p) const noexcept { proj_destroy(p); }
    };
    std::unique_ptr<PJ_CONTEXT, CtxDeleter> ctx{proj_context_create()};
    std::unique_ptr<PJ, PjDeleter> pj;
};

OsgbToWgs84::OsgbToWgs84() : impl_(std::make_unique<Impl>()) {
    if (!impl_->ctx) throw std::runtime_error("PROJ: cannot create a context");
    proj_log_level(impl_->ctx.get(), PJ_LOG_NONE);
    std::unique_ptr<PJ, Impl::PjDeleter> raw(
        proj_create_crs_to_crs(impl_->ctx.get(), "EPSG:27700", "EPSG:4326", nullptr));
    if (!raw)
        throw std::runtime_error("PROJ: no transformation EPSG:27700 -> EPSG:4326 (is proj-data installed?)");
    // Normalise axis order to (easting, northing) -> (lon, lat).
    impl_->pj.reset(proj_normalize_for_visualization(impl_->ctx.get(), raw.get()));
    if (!impl_->pj) throw std::runtime_error("PROJ: cannot normalise the axis order");
}

OsgbToWgs84::~OsgbToWgs84() = default;

std::optional<LonLat> OsgbToWgs84::convert(double easting, double northing) const {
    PJ_COORD in = proj_coord(easting, northing, 0, 0);
    PJ_COORD out = proj_trans(impl_->pj.get(), PJ_FWD, in);
    if (!std::isfinite(out.xy.x) || !std::isfinite(out.xy.y) || out.xy.x == HUGE_VAL) return std::nullopt;
    return LonLat{out.lp.lam, out.lp.phi};
}

}  // namespace crimemap::tools
