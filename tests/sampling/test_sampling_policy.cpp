// Unit tests of the sampling policy pieces: RoPE scaling policy (docs/reference-notes.md, Scheduler and
// Official sampler), presets, scheduler-config validation, context-drop window and pooling, and the
// non-reference sigmoid time grid with its toy study (numbers reported in docs/sampling.md).
#include "core/io/json_file.h"
#include "core/models/common/key_value_pooling.h"
#include "core/sampling/context_drop.h"
#include "core/sampling/flow_match_schedule.h"
#include "core/sampling/guidance.h"
#include "core/sampling/ode_solver.h"
#include "core/sampling/rope_scaling.h"
#include "core/sampling/time_grid.h"
#include "core/util/errors.h"

#include <QtTest>
#include <cmath>
#include <functional>
#include <map>
#include <torch/torch.h>

using namespace lumina;
using namespace lumina::sampling;

namespace {

// Toy flow-matching problem with known structure at both ends of the trajectory (2-D state, x_t = (1-t) x0
// + t x1, x0 ~ N(0, I)): dimension 0 carries a two-mode data distribution 1/2 N(-a, sd^2) + 1/2 N(a, sd^2)
// (the mode decision happens early, near t ~ 1/(a+1)); dimension 1 carries N(0, sd^2) (strong contraction
// late, near t = 1). The exact marginal velocity is the posterior-weighted sum of the per-mode linear fields
// v_k = mu_k + (s'/s)(x - t mu_k) with s(t) = sqrt((1-t)^2 + t^2 sd^2); dimension 1 has the closed-form
// solution x(1) = sd * x0.
constexpr double kModeA = 8.0;
constexpr double kDataSd = 0.02;

at::Tensor toyVelocity(const at::Tensor& tTensor, const at::Tensor& x) {
    const double t = tTensor.item<double>();
    const double s = std::sqrt((1 - t) * (1 - t) + t * t * kDataSd * kDataSd);
    const double rate = (-(1 - t) + t * kDataSd * kDataSd) / (s * s); // s'/s
    const auto mus = torch::tensor({-kModeA, kModeA}, x.options());
    const auto x0 = x.select(1, 0).unsqueeze(1);
    const auto centred = x0 - mus * t;
    const auto weights = torch::softmax(-centred.square() / (2 * s * s), 1);
    const auto v0 = (weights * (mus + centred * rate)).sum(1);
    const auto v1 = x.select(1, 1) * rate;
    return torch::stack({v0, v1}, 1);
}

double rms(const at::Tensor& a, const at::Tensor& b) {
    return (a - b).square().mean().sqrt().item<double>();
}

struct Study {
    at::Tensor start;
    at::Tensor reference;
};

const Study& study() {
    static const Study s = [] {
        Study st;
        auto gen = at::detail::createCPUGenerator(0);
        st.start = at::randn({256, 2}, gen, torch::kFloat64);
        st.reference = integrate(Sampler::RK4, toyVelocity, officialTimeGrid(2048, 1.0), st.start).x;
        return st;
    }();
    return s;
}

double studyError(Sampler solver, const at::Tensor& grid) {
    return rms(integrate(solver, toyVelocity, grid, study().start).x, study().reference);
}

} // namespace

class TestSamplingPolicy : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { at::set_num_threads(1); }

    // scaling_factor = sqrt(W*H / 1024^2) (LuminaPipeline.__call__) at sizes worked out by hand.
    void scalingFactorTable_data() {
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        QTest::addColumn<double>("factor");
        QTest::addRow("512x512") << 512 << 512 << 0.5;
        QTest::addRow("768x768") << 768 << 768 << 0.75;
        QTest::addRow("1024x1024") << 1024 << 1024 << 1.0;
        QTest::addRow("2048x512") << 2048 << 512 << 1.0;
        QTest::addRow("1024x2048") << 1024 << 2048 << 1.4142135623730951;
        QTest::addRow("1536x1536") << 1536 << 1536 << 1.5;
        QTest::addRow("2048x2048") << 2048 << 2048 << 2.0;
    }
    void scalingFactorTable() {
        QFETCH(int, w);
        QFETCH(int, h);
        QFETCH(double, factor);
        QCOMPARE(ropeScalingFactor(w, h), factor);
        // diffusers: time-aware with watershed 1.0 at every size: always linear (t_model <= 0.999 < 1).
        const RoPEScalingSettings diffusers{RoPEScaling::TimeAware, 1.0, true, 1024};
        for (float t : {0.0f, 0.5f, 0.999f})
            QCOMPARE(ropeFactors(diffusers, w, h, t), (RoPEFactors{factor, 1.0}));
        // official demo: only extrapolation sizes (area > 1024^2) are scaled, watershed 0.3.
        const RoPEScalingSettings official{RoPEScaling::TimeAware, 0.3, false, 1024};
        const bool extrapolation = int64_t(w) * h > 1024 * 1024;
        QCOMPARE(ropeFactors(official, w, h, 0.1f),
                 extrapolation ? (RoPEFactors{factor, 1.0}) : RoPEFactors{});
        QCOMPARE(ropeFactors(official, w, h, 0.8f),
                 extrapolation ? (RoPEFactors{1.0, factor}) : RoPEFactors{});
    }

    void modesAndWatershedStrictness() {
        RoPEScalingSettings s{RoPEScaling::TimeAware, 0.5, true, 1024};
        QCOMPARE(ropeFactors(s, 2048, 2048, std::nextafter(0.5f, 0.0f)), (RoPEFactors{2.0, 1.0}));
        QCOMPARE(ropeFactors(s, 2048, 2048, 0.5f), (RoPEFactors{1.0, 2.0})); // strict t < w
        // diffusers rounds the watershed to fp32 (an fp32 tensor against a Python float): t = fp32(0.7) is
        // not below 0.7. The official forward_with_cfg compares t[0].item() in double: fp32(0.7) < 0.7 is.
        s.watershed = 0.7;
        QVERIFY(static_cast<double>(0.7f) < 0.7);
        QCOMPARE(ropeFactors(s, 2048, 2048, 0.7f), (RoPEFactors{1.0, 2.0}));
        s.comparison = WatershedComparison::Float64;
        QCOMPARE(ropeFactors(s, 2048, 2048, 0.7f), (RoPEFactors{2.0, 1.0}));
        QCOMPARE(ropeFactors(s, 2048, 2048, std::nextafter(0.7f, 1.0f)), (RoPEFactors{1.0, 2.0}));
        s.watershed = 0.3; // fp32(0.3) > 0.3: here both comparisons say NTK at t = fp32(0.3)
        QCOMPARE(ropeFactors(s, 2048, 2048, 0.3f), (RoPEFactors{1.0, 2.0}));
        s.comparison = WatershedComparison::Float32;
        QCOMPARE(ropeFactors(s, 2048, 2048, 0.3f), (RoPEFactors{1.0, 2.0}));
        s.watershed = 0.7;
        s.mode = RoPEScaling::Linear;
        QCOMPARE(ropeFactors(s, 2048, 2048, 0.9f), (RoPEFactors{2.0, 1.0}));
        s.mode = RoPEScaling::NTK;
        QCOMPARE(ropeFactors(s, 2048, 2048, 0.1f), (RoPEFactors{1.0, 2.0}));
        s.mode = RoPEScaling::None;
        QCOMPARE(ropeFactors(s, 2048, 2048, 0.1f), RoPEFactors{});
        s.watershed = 1.5;
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, ropeFactors(s, 1024, 1024, 0.1f));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, ropeScalingFactor(0, 1024));
        QCOMPARE(proportionalAttentionBase(), int64_t(4096));
    }

    void schedulerConfigValidation() {
        const auto make = [](nlohmann::json j) {
            return io::JsonConfig(std::move(j), "scheduler_config.json");
        };
        const auto ok =
            FlowMatchEulerConfig::fromJson(make({{"_class_name", "FlowMatchEulerDiscreteScheduler"},
                                                 {"num_train_timesteps", 1000},
                                                 {"shift", 6.0},
                                                 {"shift_terminal", nullptr}}));
        QCOMPARE(ok.shift, 6.0);
        QCOMPARE(FlowMatchEulerConfig::fromJson(make(nlohmann::json::object())).shift, 1.0);
        // Dynamic shifting is read (Lumina-Image 2.0 builds it from custom sigmas and mu); the Lumina-Next
        // path, which has no mu, refuses it.
        const auto dynamic = FlowMatchEulerConfig::fromJson(make({{"use_dynamic_shifting", true},
                                                                  {"time_shift_type", "linear"},
                                                                  {"base_shift", 0.6},
                                                                  {"max_image_seq_len", 8192}}));
        QVERIFY(dynamic.useDynamicShifting);
        QVERIFY(dynamic.timeShiftType == TimeShiftType::Linear);
        QCOMPARE(dynamic.baseShift, 0.6);
        QCOMPARE(dynamic.maxImageSeqLen, int64_t(8192));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, FlowMatchEulerSchedule::create(dynamic, 30));
        QVERIFY_THROWS_EXCEPTION(ModelLoadError,
                                 FlowMatchEulerConfig::fromJson(make({{"max_image_seq_len", 256}})));
        QVERIFY_THROWS_EXCEPTION(ModelLoadError,
                                 FlowMatchEulerConfig::fromJson(make({{"use_karras_sigmas", true}})));
        QVERIFY_THROWS_EXCEPTION(ModelLoadError, FlowMatchEulerConfig::fromJson(make({{"shift", -1.0}})));
        QVERIFY_THROWS_EXCEPTION(ModelLoadError,
                                 FlowMatchEulerConfig::fromJson(make({{"shift_terminal", 0.1}})));
        QVERIFY_THROWS_EXCEPTION(ModelLoadError,
                                 FlowMatchEulerConfig::fromJson(make({{"_class_name", "DDIMScheduler"}})));
    }

    void doubleShiftQuirk() {
        // docs/reference-notes.md, Scheduler ("double shift"): with shift != 1 the last nonzero sigma is
        // f(f(0.001)); s = 4 gives about 0.01576.
        FlowMatchEulerConfig c;
        c.shift = 4.0;
        const auto sched = FlowMatchEulerSchedule::create(c, 30);
        QVERIFY(std::abs(sched.sigmas()[29].item<float>() - 0.01576f) < 5e-5f);
        QCOMPARE(sched.sigmas()[0].item<float>(), 1.0f);
    }

    void contextDropWindowAndRange() {
        QCOMPARE(contextDropWindow(4096, 4096), int64_t(1));
        QCOMPARE(contextDropWindow(16384, 4096), int64_t(2)); // 2048^2
        QCOMPARE(contextDropWindow(9216, 4096), int64_t(2));  // 1536^2: sqrt(2.25) = 1.5 rounds to 2
        QCOMPARE(contextDropWindow(1024, 4096), int64_t(1));
        ContextDropSettings s;
        QVERIFY(!contextDropActive(s, 0.5, 16384)); // off by default
        s.enabled = true;
        s.tStart = 0.2;
        s.tEnd = 0.6;
        QVERIFY(contextDropActive(s, 0.2, 16384));
        QVERIFY(!contextDropActive(s, 0.6, 16384));
        QVERIFY(!contextDropActive(s, 0.1, 16384));
        QVERIFY(!contextDropActive(s, 0.5, 4096)); // window 1: nothing to drop
    }

    void contextDropPoolsGridWindows() {
        // Grid 5 x 3 tokens, window 2: output grid 3 x 2, edge windows average only their valid tokens.
        const int64_t gh = 5, gw = 3;
        auto k = torch::arange(gh * gw, torch::kFloat32)
                     .reshape({1, gh * gw, 1, 1})
                     .expand({2, gh * gw, 2, 3})
                     .clone();
        auto v = k * -2.0;
        const auto r = models::poolKeysValues(k, v, gh, gw, 2);
        QCOMPARE(r.gridHeight, int64_t(3));
        QCOMPARE(r.gridWidth, int64_t(2));
        QCOMPARE(r.keys.sizes().vec(), (std::vector<int64_t>{2, 6, 2, 3}));
        QCOMPARE(r.values.sizes().vec(), (std::vector<int64_t>{2, 6, 2, 3}));
        // Token (row, col) has value row*3 + col. Window (0,0): {0,1,3,4} -> 2; (0,1): {2,5} -> 3.5;
        // (2,0): {12,13} -> 12.5; (2,1): {14} -> 14.
        const std::vector<float> expected{2.0f, 3.5f, 8.0f, 9.5f, 12.5f, 14.0f};
        for (int64_t i = 0; i < 6; ++i) {
            QCOMPARE(r.keys[1][i][1][2].item<float>(), expected[size_t(i)]);
            QCOMPARE(r.values[0][i][0][0].item<float>(), -2.0f * expected[size_t(i)]);
        }
        // bf16 in, bf16 out (pooled in fp32); window 1 is the identity.
        const auto rb = models::poolKeysValues(k.to(torch::kBFloat16), v.to(torch::kBFloat16), gh, gw, 2);
        QCOMPARE(rb.keys.scalar_type(), torch::kBFloat16);
        QVERIFY(torch::equal(rb.keys.to(torch::kFloat32), r.keys.to(torch::kBFloat16).to(torch::kFloat32)));
        const auto same = models::poolKeysValues(k, v, gh, gw, 1);
        QVERIFY(same.keys.is_same(k));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, models::poolKeysValues(k, v, 4, 4, 2));
    }

    void sigmoidGridIsDenseAtBothEnds() {
        for (double kappa : {4.0, 6.0, 8.0}) {
            const auto g = officialTimeGrid(16, 1.0, Schedule::Sigmoid, kappa).to(torch::kFloat64);
            QCOMPARE(g[0].item<double>(), 0.0);
            QCOMPARE(g[16].item<double>(), 1.0);
            const auto d = g.slice(0, 1) - g.slice(0, 0, 16);
            QVERIFY((d > 0).all().item<bool>());
            // Symmetric, smallest at the ends, largest in the middle.
            QVERIFY(torch::allclose(d, d.flip(0), 0, 1e-6));
            QVERIFY(d[0].item<double>() < 0.5 * d[7].item<double>());
            QCOMPARE(d.argmin().item<int64_t>() % 15, int64_t(0));
        }
        // Larger kappa packs the ends harder; small kappa tends to the uniform grid.
        const auto first = [](double kappa) {
            return officialTimeGrid(16, 1.0, Schedule::Sigmoid, kappa)[1].item<double>();
        };
        QVERIFY(first(8.0) < first(6.0) && first(6.0) < first(4.0));
        QVERIFY(std::abs(first(0.01) - 1.0 / 16) < 1e-5);
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, baseGrid(8, Schedule::Sigmoid, 0.0));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, baseGrid(0));
    }

    // Toy study (docs/sampling.md): final-state RMS error vs a 2048-interval rk4 reference, for the uniform
    // grid, the official shift 4 grid and the sigmoid grid (kappa 6), with the three official solvers.
    void sigmoidStudy() {
        // The reference is accurate: dimension 1 has the closed form x(1) = sd * x0.
        QVERIFY(rms(study().reference.select(1, 1), study().start.select(1, 1) * kDataSd) < 1e-9);
        const struct {
            const char* name;
            std::function<at::Tensor(int64_t)> grid;
        } grids[] = {
            {"uniform", [](int64_t n) { return officialTimeGrid(n, 1.0); }},
            {"shift4", [](int64_t n) { return officialTimeGrid(n, 4.0); }},
            {"sigmoid6", [](int64_t n) { return officialTimeGrid(n, 1.0, Schedule::Sigmoid, 6.0); }},
        };
        std::map<std::string, double> err;
        for (auto solver : {Sampler::Euler, Sampler::Midpoint, Sampler::RK4})
            for (int64_t n : {4, 8, 16, 32}) {
                QString line =
                    QString("study %1 steps %2:").arg(QString::fromStdString(toString(solver))).arg(n);
                for (const auto& g : grids) {
                    const double e = studyError(solver, g.grid(n));
                    err[toString(solver) + std::to_string(n) + g.name] = e;
                    line += QString(" %1=%2").arg(g.name).arg(e, 0, 'e', 2);
                }
                qInfo("%s", qPrintable(line));
            }
        // The sigmoid grid converges (midpoint: second order once resolved) ...
        QVERIFY(err["midpoint8sigmoid6"] < err["midpoint4sigmoid6"]);
        QVERIFY(err["midpoint16sigmoid6"] < 0.25 * err["midpoint8sigmoid6"]);
        QVERIFY(err["rk416sigmoid6"] < err["rk48sigmoid6"]);
        // ... and on this problem, whose hard parts sit at both ends, it beats both reference grids for the
        // higher-order solvers at 8-32 steps.
        for (const char* solver : {"midpoint", "rk4"})
            for (int n : {8, 16, 32}) {
                const std::string key = std::string(solver) + std::to_string(n);
                QVERIFY2(err[key + "sigmoid6"] < err[key + "uniform"], key.c_str());
                QVERIFY2(err[key + "sigmoid6"] < err[key + "shift4"], key.c_str());
            }
    }
};

QTEST_GUILESS_MAIN(TestSamplingPolicy)
#include "test_sampling_policy.moc"
