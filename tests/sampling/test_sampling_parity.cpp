// Parity of core/sampling with the Python reference: diffusers FlowMatchEulerDiscreteScheduler
// sigmas/timesteps/t_model and step, the pipeline's CFG, the official Lumina-T2X time grid and
// torchdiffeq.odeint itself (fixed-grid euler, midpoint, rk4) on it. Inputs and outputs come from
// tests/python/make_sampling_fixtures.py.
//
// Mutations tried (each made this suite fail): rk4 with the classic 1/6 weights instead of torchdiffeq's 3/8
// rule (officialSolverStepsMatch rk4 rows); the time shift as u / (s + (1 - s) u) (officialGridsAreBitwise
// m30_s4 and gridOpOrderMatters); t passed to f in fp32 for a bf16 state (bf16 trajectories).
#include "core/io/json_file.h"
#include "core/io/safetensors_file.h"
#include "core/sampling/flow_match_schedule.h"
#include "core/sampling/guidance.h"
#include "core/sampling/ode_solver.h"
#include "core/sampling/time_grid.h"
#include "core/util/errors.h"

#include <QtTest>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <torch/torch.h>

using namespace lumina;
using namespace lumina::sampling;

namespace {

std::filesystem::path fixtureDir() {
    return std::filesystem::path(qEnvironmentVariable("LUMINA_FIXTURES_DIR").toStdString()) / "sampling";
}

std::shared_ptr<const io::SafetensorsFile> openFixture(const std::string& name) {
    return io::SafetensorsFile::open(fixtureDir() / name);
}

// Bitwise equality with a readable failure message.
bool sameBits(const at::Tensor& actual, const at::Tensor& expected, const std::string& what) {
    if (actual.scalar_type() != expected.scalar_type() || actual.sizes() != expected.sizes()) {
        qWarning("%s: dtype/shape differ (%s vs %s)", what.c_str(), c10::toString(actual.scalar_type()),
                 c10::toString(expected.scalar_type()));
        return false;
    }
    const auto a = actual.cpu().contiguous();
    const auto e = expected.cpu().contiguous();
    if (std::memcmp(a.data_ptr(), e.data_ptr(), a.nbytes()) == 0) return true;
    const auto diff = (a.to(torch::kFloat64) - e.to(torch::kFloat64)).abs();
    qWarning("%s: not bitwise equal, %lld elements differ, max abs diff %.3g", what.c_str(),
             static_cast<long long>((a != e).sum().item<int64_t>()), diff.max().item<double>());
    return false;
}

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) {
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// The toy velocity of make_sampling_fixtures.py: f(t, x) = a*x + b*t with t already in x's dtype.
VelocityFn toyVelocity(double a, double b) {
    return [a, b](const at::Tensor& t, const at::Tensor& x) { return x * a + t * b; };
}

} // namespace

class TestSamplingParity : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        at::set_num_threads(1);
        QVERIFY2(std::filesystem::exists(fixtureDir() / "cfg.safetensors"),
                 "fixture missing: run ctest so that fixture_sampling runs first");
    }

    void schedulesAreBitwise_data() {
        QTest::addColumn<int>("steps");
        QTest::addColumn<int>("shift");
        for (int shift : {1, 3})
            for (int n : {1, 2, 4, 30, 50})
                QTest::addRow("n%d_shift%d", n, shift) << n << shift;
    }
    void schedulesAreBitwise() {
        QFETCH(int, steps);
        QFETCH(int, shift);
        // The config goes through the same reader the app uses (the real diffusers save_config output).
        const auto config = FlowMatchEulerConfig::load(
            fixtureDir() / fmt::format("scheduler_shift{}", shift) / "scheduler_config.json");
        QCOMPARE(config.shift, double(shift));
        QCOMPARE(config.numTrainTimesteps, int64_t(1000));
        const auto schedule = FlowMatchEulerSchedule::create(config, steps);
        const auto ref = openFixture(fmt::format("schedule_n{}_shift{}.safetensors", steps, shift));
        QCOMPARE(schedule.steps(), int64_t(steps));
        QVERIFY(sameBits(schedule.sigmas(), ref->tensor("sigmas"), "sigmas"));
        QVERIFY(sameBits(schedule.timesteps(), ref->tensor("timesteps"), "timesteps"));
        QVERIFY(sameBits(schedule.modelTimes(), ref->tensor("t_model_cpu"), "t_model (CPU rule)"));
        QVERIFY(sameBits(schedule.modelTimes(TimeDivision::TrueDivide), ref->tensor("t_model_cpu"),
                         "t_model true"));
        QVERIFY(sameBits(schedule.modelTimes(TimeDivision::ReciprocalMultiply), ref->tensor("t_model_recip"),
                         "t_model (CUDA rule)"));
        QCOMPARE(schedule.sigmas()[steps].item<float>(), 0.0f);
        QCOMPARE(schedule.modelTimes()[0].item<float>(), 0.0f);
    }

    void cudaRuleDiffersFromCpuRuleAt30Steps() {
        // For n = 30, s = 1 the two division rules disagree by 1 ulp at some steps (12 with torch 2.11): as
        // many as in the reference, and the rules are really different.
        const auto schedule = FlowMatchEulerSchedule::create({}, 30);
        const auto cpu = schedule.modelTimes(TimeDivision::TrueDivide);
        const auto cuda = schedule.modelTimes(TimeDivision::ReciprocalMultiply);
        const auto ref = openFixture("schedule_n30_shift1.safetensors");
        const auto expected =
            (ref->tensor("t_model_cpu") != ref->tensor("t_model_recip")).sum().item<int64_t>();
        QVERIFY(expected > 0);
        QCOMPARE((cpu != cuda).sum().item<int64_t>(), expected);
        QVERIFY(maxAbsDiff(cpu, cuda) < 1e-7);
    }

    void eulerStepIsBitwise_data() {
        QTest::addColumn<QString>("tag");
        QTest::addColumn<int>("index");
        for (const char* tag : {"f32", "bf16"})
            for (int i : {0, 13, 29})
                QTest::newRow((QByteArray(tag) + "_step" + QByteArray::number(i)).constData())
                    << QString(tag) << i;
    }
    void eulerStepIsBitwise() {
        QFETCH(QString, tag);
        QFETCH(int, index);
        const auto ref = openFixture("euler_step.safetensors");
        const auto t = tag.toStdString();
        const auto schedule = FlowMatchEulerSchedule::create({}, 30);
        const auto out = schedule.step(index, ref->tensor("x_" + t), ref->tensor("v_" + t));
        QVERIFY(sameBits(out, ref->tensor(fmt::format("out_{}_step{}", t, index)), "euler step"));
    }

    void eulerStepRejectsBadIndex() {
        const auto schedule = FlowMatchEulerSchedule::create({}, 4);
        const auto x = torch::zeros({1, 4, 2, 2});
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, schedule.step(4, x, x));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, schedule.step(0, x.to(torch::kMeta), x));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, FlowMatchEulerSchedule::create({}, 0));
    }

    void guidanceIsBitwise_data() {
        QTest::addColumn<QString>("tag");
        QTest::addColumn<double>("scale");
        for (const char* tag : {"f32", "bf16"})
            for (double g : {4.0, 1.5})
                QTest::newRow((QByteArray(tag) + "_g" + QByteArray::number(g, 'f', 1)).constData())
                    << QString(tag) << g;
    }
    void guidanceIsBitwise() {
        QFETCH(QString, tag);
        QFETCH(double, scale);
        const auto ref = openFixture("cfg.safetensors");
        const auto t = tag.toStdString();
        const auto v = ref->tensor("v_" + t);
        QVERIFY(sameBits(combineGuidance(v, scale), ref->tensor(fmt::format("ref3_{}_g{:.1f}", t, scale)),
                         "cfg ref3"));
        QVERIFY(sameBits(combineGuidance(v, scale, CFGChannels::All),
                         ref->tensor(fmt::format("all_{}_g{:.1f}", t, scale)), "cfg all"));
        // Channel 3 is the conditional prediction, untouched.
        QVERIFY(sameBits(combineGuidance(v, scale).select(1, 3), v.slice(0, 0, 2).select(1, 3), "channel 3"));
    }

    void guidanceDisabledAtOrBelowOne() {
        const auto v = torch::randn({1, 4, 2, 2});
        QVERIFY(!guidanceEnabled(1.0));
        QVERIFY(guidanceEnabled(1.0001));
        QVERIFY(combineGuidance(v, 1.0).is_same(v));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, combineGuidance(torch::randn({3, 4, 2, 2}), 4.0));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, combineGuidance(torch::randn({2, 3, 2, 2}), 4.0));
    }

    void officialGridsAreBitwise_data() {
        QTest::addColumn<int>("points");
        QTest::addColumn<double>("shift");
        QTest::addRow("m30_s4") << 30 << 4.0;
        QTest::addRow("m7_s1") << 7 << 1.0;
        QTest::addRow("m5_s2.5") << 5 << 2.5;
    }
    void officialGridsAreBitwise() {
        QFETCH(int, points);
        QFETCH(double, shift);
        const auto ref = openFixture("solvers.safetensors");
        const auto grid = officialTimeGrid(points - 1, shift);
        QVERIFY(sameBits(grid, ref->tensor(fmt::format("grid_m{}_s{:.1f}", points, shift)), "official grid"));
        QCOMPARE(grid[0].item<float>(), 0.0f);
        QCOMPARE(grid[points - 1].item<float>(), 1.0f);
    }

    void gridOpOrderMatters() {
        // The official op order t / ((t + s) - s t) is part of the rule: with s = 1 it is not the plain
        // linspace, and the algebraically equal u / (s + (1 - s) u) differs; as often as in the reference.
        const auto ref = openFixture("solvers.safetensors");
        const auto m7 = officialTimeGrid(6, 1.0);
        const auto linspace = torch::linspace(0.0, 1.0, 7, torch::kFloat32);
        QCOMPARE((m7 != linspace).sum().item<int64_t>(),
                 ref->tensor("grid_m7_s1_vs_linspace").item<int64_t>());
        const auto u = torch::linspace(0.0, 1.0, 30, torch::kFloat32);
        const auto reordered = u / ((1.0 - 4.0) * u + 4.0);
        QCOMPARE((officialTimeGrid(29, 4.0) != reordered).sum().item<int64_t>(),
                 ref->tensor("grid_m30_s4_vs_reordered").item<int64_t>());
        QVERIFY(ref->tensor("grid_m30_s4_vs_reordered").item<int64_t>() > 0);
    }

    void officialSolverStepsMatch_data() {
        QTest::addColumn<QString>("solver");
        QTest::addColumn<QString>("tag");
        for (const char* s : {"euler", "midpoint", "rk4"})
            for (const char* tag : {"f32", "bf16"})
                QTest::newRow((QByteArray(s) + "_" + tag).constData()) << QString(s) << QString(tag);
    }
    void officialSolverStepsMatch() {
        QFETCH(QString, solver);
        QFETCH(QString, tag);
        const auto ref = openFixture("solvers.safetensors");
        const auto ab = ref->tensor("toy_ab");
        const auto f = toyVelocity(ab[0].item<double>(), ab[1].item<double>());
        const auto s = parseSampler(solver.toStdString());
        const auto t = tag.toStdString();
        const auto x0 = ref->tensor("x0_" + t);
        // One interval j = 3 of the M = 30, s = 4 grid: bitwise what torchdiffeq.odeint gives.
        const auto grid = officialTimeGrid(29, 4.0);
        const auto one = odeStep(s, f, grid[3], grid[4], x0);
        const auto refOne = ref->tensor(fmt::format("step_{}_{}", solver.toStdString(), t));
        QVERIFY2(maxAbsDiff(one, refOne) <= 1e-7, "one step differs by more than 1e-7");
        QVERIFY(sameBits(one, refOne, "one step"));
        // A whole small trajectory (M = 5, s = 2.5), counting model evaluations.
        const auto full = integrate(s, f, officialTimeGrid(4, 2.5), x0);
        QVERIFY(
            sameBits(full.x, ref->tensor(fmt::format("full_{}_{}", solver.toStdString(), t)), "trajectory"));
        QCOMPARE(full.evaluations, modelEvaluations(s, 4));
    }

    void solverPassesTimeInStateDtype() {
        at::ScalarType seen = at::ScalarType::Undefined;
        const VelocityFn f = [&](const at::Tensor& t, const at::Tensor& x) {
            seen = t.scalar_type();
            return x;
        };
        integrate(Sampler::Midpoint, f, officialTimeGrid(2, 1.0), torch::zeros({1}, torch::kBFloat16));
        QCOMPARE(seen, at::ScalarType::BFloat16);
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, integrate(Sampler::DiffusersEuler, f,
                                                           officialTimeGrid(2, 1.0), torch::zeros({1})));
    }

    void callbackSeesEveryStep() {
        std::vector<int64_t> seen;
        const VelocityFn f = [](const at::Tensor&, const at::Tensor& x) { return torch::ones_like(x); };
        const auto r = integrate(Sampler::Euler, f, officialTimeGrid(5, 1.0), torch::zeros({1}),
                                 [&](int64_t j, const at::Tensor&) { seen.push_back(j); });
        QCOMPARE(seen, (std::vector<int64_t>{0, 1, 2, 3, 4}));
        QVERIFY(std::abs(r.x.item<float>() - 1.0f) < 1e-6f); // dx/dt = 1 from 0 to 1
    }
};

QTEST_GUILESS_MAIN(TestSamplingParity)
#include "test_sampling_parity.moc"
