//===- ProgramMainTest.cpp - the main() of emitted programs ---------------===//
//
// programMain driven like a user drives an emitted program, with a tiny
// model written as plain loops: a nearest-centroid classifier (a linear map
// [784] -> [10]) whose centroids come from Fashion-MNIST test images that
// the evaluations below never reach.
//
//===----------------------------------------------------------------------===//

#include "runtime/ProgramMain.h"
#include "TestUtil.h"
#include "runtime/Threading.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <regex>

using namespace qrt;

namespace {

const std::string kDir = QRT_FASHION_MNIST_DIR;
constexpr int64_t kPixels = 28 * 28, kClasses = 10;

// programMain re-executes the program unless OpenMP's wait policy is set
// (preferPassiveWaitPolicy); a test binary must not be re-executed.
const bool kPolicySet = [] {
  setenv("OMP_WAIT_POLICY", "passive", 0);
  return true;
}();

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "qrt_programmain_" + name;
}

/// logits[n][c] = <w_c, x_n> + b_c with w_c a class centroid and
/// b_c = -|w_c|^2 / 2: the argmax is the nearest centroid.
struct TinyModel {
  std::vector<float> w, b;
  int calls = 0;

  TinyModel() : w(kClasses * kPixels, 0.f), b(kClasses, 0.f) {
    Expected<DataSource> data = DataSource::fashionMnist(
        kDir, "t10k", Normalization().mean, Normalization().std);
    QRT_CHECK(data.hasValue(), "cannot load Fashion-MNIST");
    Tensor images, labels;
    Status s = data->batch(5000, 2000, images, labels);
    QRT_CHECK(s.isOk(), "batch");
    std::vector<int64_t> count(kClasses, 0);
    for (int64_t n = 0; n < 2000; ++n) {
      int64_t c = labels.data<int64_t>()[n];
      ++count[c];
      for (int64_t p = 0; p < kPixels; ++p)
        w[c * kPixels + p] += images.data<float>()[n * kPixels + p];
    }
    for (int64_t c = 0; c < kClasses; ++c)
      for (int64_t p = 0; p < kPixels; ++p) {
        float &v = w[c * kPixels + p];
        v /= static_cast<float>(count[c]);
        b[c] -= 0.5f * v * v;
      }
  }

  Tensor apply(const Tensor &x) const {
    int64_t n = x.dim(0);
    Tensor y = Tensor::empty({n, kClasses}, DType::F32);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t c = 0; c < kClasses; ++c) {
        float acc = b[c];
        for (int64_t p = 0; p < kPixels; ++p)
          acc += w[c * kPixels + p] * x.data<float>()[i * kPixels + p];
        y.data<float>()[i * kClasses + c] = acc;
      }
    return y;
  }

  RunFn fn() {
    return
        [this](const std::vector<Tensor> &in) -> Expected<std::vector<Tensor>> {
          ++calls;
          return std::vector<Tensor>{apply(in[0])};
        };
  }
};

TinyModel &model() {
  static TinyModel m;
  return m;
}

ProgramInfo tinyInfo(Shape in = {-1, 1, 28, 28}) {
  ProgramInfo info;
  info.name = "tiny";
  info.inputs = {{std::move(in), DType::F32}};
  info.outputs = {{{-1, kClasses}, DType::F32}};
  return info;
}

struct Outcome {
  int rc;
  std::string out, err;
};

Outcome runMain(const std::vector<std::string> &args, const ProgramInfo &info,
                RunFn fn) {
  std::vector<std::string> storage = {"tiny"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char *> argv;
  for (std::string &s : storage)
    argv.push_back(s.data());
  argv.push_back(nullptr);
  int threads = getNumThreads();
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  Outcome r;
  r.rc = programMain(static_cast<int>(storage.size()), argv.data(), info,
                     std::move(fn));
  r.out = ::testing::internal::GetCapturedStdout();
  r.err = ::testing::internal::GetCapturedStderr();
  setNumThreads(threads); // --threads must not leak into other tests
  return r;
}

Outcome runTiny(const std::vector<std::string> &args) {
  return runMain(args, tinyInfo(), model().fn());
}

std::string writeInput(const std::string &name, const Tensor &t) {
  std::string path = tempPath(name);
  Status s = writeNpy(path, t);
  QRT_CHECK(s.isOk(), "writeNpy");
  return path;
}

Tensor randomImages(int64_t n, unsigned seed) {
  std::mt19937 rng(seed);
  return test::randomUniform({n, 1, 28, 28}, -1.f, 2.f, rng);
}

bool sameBits(const Tensor &a, const Tensor &b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.rawData(), b.rawData(), a.nbytes()) == 0;
}

TEST(ProgramMain, InputToOutputFiles) {
  Tensor x = randomImages(3, 1);
  std::string in = writeInput("x.npy", x), out = tempPath("y.npy");
  std::remove(out.c_str());
  Outcome r = runTiny({"--input", in, "--output", out});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  Expected<Tensor> y = readNpy(out);
  ASSERT_TRUE(y.hasValue()) << y.status().toString();
  EXPECT_TRUE(sameBits(*y, model().apply(x)));

  // --name=value and one dash, as qrun (LLVM's parser) accepts them; no
  // --output prints qrun's summary line.
  r = runTiny({"-input=" + in});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, formatResultSummary(0, model().apply(x)));
  EXPECT_EQ(r.out.rfind("result 0: f32[3, 10] [", 0), 0u) << r.out;
}

TEST(ProgramMain, RepeatPrintsTimePerRun) {
  std::string in = writeInput("x2.npy", randomImages(2, 2));
  int before = model().calls;
  Outcome r = runTiny({"--input", in, "--repeat", "5", "--threads", "1"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(model().calls - before, 6); // one run, then five timed
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      r.out, m,
      std::regex(
          R"(^time per run: ([0-9]+\.[0-9]{3}) ms \(5 runs, 1 threads\)\n)")))
      << r.out;
  EXPECT_GT(std::stod(m[1]), 0.0);
  // The line is followed by the result summary, as in qrun.
  EXPECT_NE(r.out.find("\nresult 0: f32[2, 10] ["), std::string::npos) << r.out;
}

TEST(ProgramMain, EvalWritesEveryLogit) {
  std::string logitsPath = tempPath("logits.npy");
  std::remove(logitsPath.c_str());
  // 200 = 3 * 64 + 8: the last batch is short.
  Outcome r =
      runTiny({"--eval", "fashion-mnist", "--data-dir", kDir, "--limit=200",
               "--batch-size", "64", "--logits-out", logitsPath});
  ASSERT_EQ(r.rc, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(
      r.out, m,
      std::regex(R"(fashion-mnist top-1: ([0-9.]+)% \(([0-9]+) / 200\), )"
                 R"([0-9]+ images/s \(batch 64, [0-9]+ threads\)\n)")))
      << r.out;
  int64_t correct = std::stoll(m[2]);

  Expected<Tensor> logits = readNpy(logitsPath);
  ASSERT_TRUE(logits.hasValue()) << logits.status().toString();
  ASSERT_EQ(logits->shape(), (Shape{200, kClasses}));
  ASSERT_EQ(logits->dtype(), DType::F32);

  // Each row is what the model computes on the same normalized batch.
  Expected<DataSource> data =
      DataSource::fashionMnist(kDir, "t10k", 0.2860f, 0.3530f);
  ASSERT_TRUE(data.hasValue());
  int64_t hits = 0;
  for (int64_t begin = 0; begin < 200; begin += 64) {
    int64_t n = std::min<int64_t>(64, 200 - begin);
    Tensor images, labels;
    ASSERT_OK(data->batch(begin, n, images, labels));
    Tensor expected = model().apply(images);
    Expected<Tensor> rows = logits->slice(begin, begin + n);
    ASSERT_TRUE(rows.hasValue());
    EXPECT_TRUE(sameBits(rows->clone(), expected)) << "batch at " << begin;
    for (int64_t i = 0; i < n; ++i) {
      const float *row = logits->data<float>() + (begin + i) * kClasses;
      hits += std::max_element(row, row + kClasses) - row ==
              labels.data<int64_t>()[i];
    }
  }
  EXPECT_EQ(hits, correct);
  EXPECT_NEAR(std::stod(m[1]), 100.0 * correct / 200, 0.006);
  EXPECT_GT(correct, 100); // nearest centroid is far above chance (10%)
}

TEST(ProgramMain, EvalNormalizationAndDefaultDataDir) {
  std::string logitsPath = tempPath("logits01.npy");
  Outcome r = runTiny({"--eval", "fashion-mnist", "--limit", "30", "--mean",
                       "0", "--std", "1", "--logits-out", logitsPath});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("(batch 100, "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" / 30), "), std::string::npos) << r.out;
  Expected<Tensor> logits = readNpy(logitsPath);
  ASSERT_TRUE(logits.hasValue());
  Expected<DataSource> data =
      DataSource::fashionMnist(kFashionMnistDir, "t10k", 0.f, 1.f);
  ASSERT_TRUE(data.hasValue());
  Tensor images, labels;
  ASSERT_OK(data->batch(0, 30, images, labels));
  EXPECT_TRUE(sameBits(*logits, model().apply(images)));
}

TEST(ProgramMain, Help) {
  Outcome r = runTiny({"--help"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("tiny"), std::string::npos);
  EXPECT_NE(r.out.find("f32[-1, 1, 28, 28]"), std::string::npos) << r.out;
  for (const char *option :
       {"--input", "--output", "--eval", "--data-dir", "--batch-size",
        "--limit", "--mean", "--std", "--logits-out", "--repeat", "--threads"})
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
}

TEST(ProgramMain, BadOptionsFailWithAMessage) {
  std::string good = writeInput("good.npy", randomImages(2, 3));
  std::string rank3 =
      writeInput("rank3.npy", Tensor::zeros({2, 28, 28}, DType::F32));
  std::string ints =
      writeInput("ints.npy", Tensor::zeros({2, 1, 28, 28}, DType::I32));
  std::string wide =
      writeInput("wide.npy", Tensor::zeros({2, 1, 28, 29}, DType::F32));
  std::string missing = tempPath("does-not-exist.npy");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"--bogus"}, "unknown option '--bogus'"},
      {{"--input", good, "--frobnicate=3"}, "unknown option '--frobnicate=3'"},
      {{"stray.npy"}, "unexpected argument 'stray.npy'"},
      {{"--input", missing}, "cannot open " + missing},
      {{"--input"}, "--input needs a value"},
      {{"--input", rank3},
       "input 0 must be f32[-1, 1, 28, 28] (-1: any size), got f32[2, 28, "
       "28] in " +
           rank3},
      {{"--input", wide}, "got f32[2, 1, 28, 29]"},
      {{"--input", ints}, "got i32[2, 1, 28, 28]"},
      {{}, "the program takes 1 input(s)"},
      {{"--input", good, "--input", good}, "2 --input file(s)"},
      {{"--input", good, "--output", "a.npy", "--output", "b.npy"},
       "2 --output file(s)"},
      {{"--input", good, "--output", "/nonexistent-dir/y.npy"},
       "cannot create /nonexistent-dir/y.npy"},
      {{"--input", good, "--repeat", "0"}, "--repeat must be"},
      {{"--input", good, "--repeat", "many"}, "'many' is not an integer"},
      {{"--input", good, "--threads", "-1"}, "--threads must be >= 0"},
      {{"--input", good, "--logits-out", "l.npy"}, "--logits-out needs --eval"},
      {{"--input", good, "--limit", "5"}, "--limit needs --eval"},
      {{"--eval", "imagenet"}, "unknown data set kind 'imagenet'"},
      {{"--eval", "fashion-mnist", "--data-dir", "/nonexistent"},
       "cannot open /nonexistent/"},
      {{"--eval", "fashion-mnist", "--input", good}, "--input does not apply"},
      {{"--eval", "fashion-mnist", "--limit", "-3"}, "--limit must be >= 0"},
      {{"--eval", "fashion-mnist", "--limit", "1", "--limit", "2"},
       "--limit given more than once"},
      {{"--eval", "fashion-mnist", "--batch-size", "0"},
       "--batch-size must be positive"},
      {{"--eval", "fashion-mnist", "--std", "0"}, "--std must be > 0"},
      {{"--eval", "fashion-mnist", "--mean", "x"}, "'x' is not a number"},
      {{"--help=yes"}, "--help takes no value"},
  };
  for (const Case &c : cases) {
    std::string joined;
    for (const std::string &a : c.args)
      joined += " " + a;
    Outcome r = runTiny(c.args);
    EXPECT_NE(r.rc, 0) << joined;
    EXPECT_EQ(r.err.rfind("tiny: error: ", 0), 0u) << joined << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos)
        << joined << ": " << r.err;
    EXPECT_EQ(r.out, "") << joined;
  }
}

TEST(ProgramMain, SignatureIsEnforcedOnEveryCall) {
  // A program compiled for batches of 4: the short last batch is refused.
  Outcome r =
      runMain({"--eval", "fashion-mnist", "--limit", "10", "--batch-size", "4"},
              tinyInfo({4, 1, 28, 28}), model().fn());
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("input 0 must be f32[4, 1, 28, 28] (-1: any size), "
                       "got f32[2, 1, 28, 28]"),
            std::string::npos)
      << r.err;

  // Results must match the declared outputs.
  RunFn wrongResult =
      [](const std::vector<Tensor> &in) -> Expected<std::vector<Tensor>> {
    return std::vector<Tensor>{Tensor::zeros({in[0].dim(0), 7}, DType::F32)};
  };
  std::string good = writeInput("good2.npy", randomImages(2, 5));
  r = runMain({"--input", good}, tinyInfo(), wrongResult);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("result 0 is f32[2, 7], the program's signature says "
                       "f32[-1, 10]"),
            std::string::npos)
      << r.err;

  // The model's own errors are reported.
  RunFn failing =
      [](const std::vector<Tensor> &) -> Expected<std::vector<Tensor>> {
    return invalidArgument("boom");
  };
  r = runMain({"--eval", "fashion-mnist", "--limit", "5"}, tinyInfo(), failing);
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "tiny: error: boom\n");

  // --eval needs one input and one output.
  ProgramInfo two = tinyInfo();
  two.inputs.push_back(two.inputs[0]);
  r = runMain({"--eval", "fashion-mnist"}, two, model().fn());
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("--eval needs a program of one image batch"),
            std::string::npos)
      << r.err;
}

TEST(ProgramMain, DescribeAndMatch) {
  TensorInfo info{{-1, 3}, DType::I8};
  EXPECT_EQ(describe(info), "i8[-1, 3]");
  EXPECT_TRUE(matches(info, Tensor::zeros({5, 3}, DType::I8)));
  EXPECT_FALSE(matches(info, Tensor::zeros({5, 4}, DType::I8)));
  EXPECT_FALSE(matches(info, Tensor::zeros({5, 3}, DType::F32)));
  EXPECT_FALSE(matches(info, Tensor::zeros({5, 3, 1}, DType::I8)));
  EXPECT_FALSE(matches(info, Tensor()));
}

} // namespace
