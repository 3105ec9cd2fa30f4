//===- DataTest.cpp - IDX loader (real Fashion-MNIST files) and .npy ------===//

#include "runtime/Data.h"
#include "runtime/Dataset.h"
#include "TestUtil.h"

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <fstream>

using namespace qrt;

namespace {

const std::string kDir = QRT_FASHION_MNIST_DIR;
const std::string kData = QRT_TEST_DATA_DIR;

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "qrt_" + name;
}

TEST(Idx, FashionMnistTrainAndTest) {
  Expected<Tensor> images = readIdx(kDir + "/train-images-idx3-ubyte.gz");
  Expected<Tensor> labelsRaw = readIdx(kDir + "/train-labels-idx1-ubyte.gz");
  ASSERT_TRUE(images.hasValue()) << images.status().toString();
  ASSERT_TRUE(labelsRaw.hasValue());
  EXPECT_EQ(images->shape(), (Shape{60000, 28, 28}));
  // First labels of the published files (9 = ankle boot, 0 = T-shirt).
  EXPECT_EQ(labelsRaw->data<uint8_t>()[0], 9);
  EXPECT_EQ(labelsRaw->data<uint8_t>()[1], 0);
  EXPECT_EQ(labelsRaw->data<uint8_t>()[3], 3);
  int64_t pixelSum = 0;
  for (int i = 0; i < 784; ++i)
    pixelSum += images->data<uint8_t>()[i];
  EXPECT_EQ(pixelSum, 76247); // computed with Python's gzip module
  std::vector<int64_t> perClass(10, 0);
  for (int64_t i = 0; i < 60000; ++i)
    ++perClass[labelsRaw->data<uint8_t>()[i]];
  for (int64_t c : perClass)
    EXPECT_EQ(c, 6000); // Fashion-MNIST is balanced

  Expected<std::shared_ptr<const Dataset>> train =
      openFashionMnist(kDir, "train");
  ASSERT_TRUE(train.hasValue()) << train.status().toString();
  EXPECT_EQ((*train)->size(), 60000);
  EXPECT_EQ((*train)->numClasses(), 10);

  Expected<Tensor> testImages = readIdx(kDir + "/t10k-images-idx3-ubyte.gz");
  ASSERT_TRUE(testImages.hasValue());
  Expected<DataSource> test =
      DataSource::fashionMnist(kDir, "t10k", 0.5f, 0.25f);
  ASSERT_TRUE(test.hasValue());
  EXPECT_EQ(test->size(), 10000);
  Tensor batch, labels;
  ASSERT_OK(test->batch(1, 4, batch, labels));
  EXPECT_EQ(batch.shape(), (Shape{4, 1, 28, 28}));
  EXPECT_EQ(labels.data<int64_t>()[0], 2);
  for (int i = 0; i < 4 * 784; ++i) {
    uint8_t p = testImages->data<uint8_t>()[784 + i];
    ASSERT_EQ(batch.data<float>()[i], (p / 255.f - 0.5f) * (1.f / 0.25f));
  }
  // gather: the same values, i32 labels.
  Tensor gathered, labels32;
  ASSERT_OK(test->gather({2, 1}, 0, gathered, labels32));
  EXPECT_EQ(labels32.dtype(), DType::I32);
  EXPECT_EQ(labels32.data<int32_t>()[1], 2);
  EXPECT_EQ(std::memcmp(gathered.data<float>() + 784, batch.data<float>(),
                        784 * sizeof(float)),
            0);
  EXPECT_FALSE(test->batch(9998, 4, batch, labels).isOk());
  EXPECT_EQ(openFashionMnist(kDir, "valid").status().code(),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(openFashionMnist("/nonexistent", "train").status().code(),
            ErrorCode::IoError);
}

TEST(Idx, TruncatedAndCorruptFiles) {
  // Copy the first 5000 compressed bytes of the labels file: a truncated
  // gzip stream.
  std::ifstream in(kDir + "/t10k-labels-idx1-ubyte.gz", std::ios::binary);
  std::vector<char> gz((std::istreambuf_iterator<char>(in)),
                       std::istreambuf_iterator<char>());
  ASSERT_GT(gz.size(), 5000u);
  std::string trunc = tempPath("trunc.gz");
  std::ofstream(trunc, std::ios::binary).write(gz.data(), 5000);
  Expected<Tensor> t = readIdx(trunc);
  ASSERT_FALSE(t.hasValue());
  EXPECT_EQ(t.status().code(), ErrorCode::FormatError) << t.status().toString();

  // A complete gzip stream whose data is shorter than its header promises.
  std::string shortIdx = tempPath("short.gz");
  gzFile g = gzopen(shortIdx.c_str(), "wb");
  const unsigned char hdr[] = {0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3};
  gzwrite(g, hdr, sizeof(hdr));
  gzclose(g);
  t = readIdx(shortIdx);
  ASSERT_FALSE(t.hasValue());
  EXPECT_NE(t.status().message().find("truncated"), std::string::npos)
      << t.status().toString();

  // Bad magic (float IDX type 0x0D).
  std::string bad = tempPath("bad.idx");
  const char badHdr[] = {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0};
  std::ofstream(bad, std::ios::binary).write(badHdr, sizeof(badHdr));
  t = readIdx(bad);
  ASSERT_FALSE(t.hasValue());
  EXPECT_NE(t.status().message().find("magic"), std::string::npos);

  // An uncompressed, valid file also loads (zlib passes it through).
  std::string plain = tempPath("plain.idx");
  const char okHdr[] = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4};
  std::ofstream(plain, std::ios::binary).write(okHdr, sizeof(okHdr));
  t = readIdx(plain);
  ASSERT_TRUE(t.hasValue()) << t.status().toString();
  EXPECT_EQ(t->shape(), (Shape{2, 2}));
  EXPECT_EQ(t->data<uint8_t>()[3], 4);
}

TEST(Npy, ReadsFilesWrittenByNumpy) {
  Expected<Tensor> a = readNpy(kData + "/arange_f4_2x3.npy");
  ASSERT_TRUE(a.hasValue()) << a.status().toString();
  EXPECT_EQ(a->shape(), (Shape{2, 3}));
  EXPECT_EQ(a->data<float>()[5], 2.5f);
  Expected<Tensor> b = readNpy(kData + "/i8_vec5.npy");
  ASSERT_TRUE(b.hasValue());
  EXPECT_EQ(b->dtype(), DType::I8);
  EXPECT_EQ(b->data<int8_t>()[0], -128);
  EXPECT_EQ(b->data<int8_t>()[4], 127);
  Expected<Tensor> c = readNpy(kData + "/i64_scalar.npy");
  ASSERT_TRUE(c.hasValue());
  EXPECT_EQ(c->rank(), 0);
  EXPECT_EQ(c->data<int64_t>()[0], 42);
}

TEST(Npy, RoundTripEveryDtypeAndErrors) {
  std::mt19937 rng(1);
  std::vector<Tensor> ts = {
      qrt::test::randomUniform({3, 4, 5}, -1, 1, rng),
      qrt::test::randomInt<int8_t>({7}, -128, 127, rng),
      qrt::test::randomInt<uint8_t>({2, 2}, 0, 255, rng),
      qrt::test::randomInt<int32_t>({1, 3}, -100000, 100000, rng),
      Tensor::fromVector<int64_t>({2}, {int64_t(1) << 40, -5})};
  for (size_t i = 0; i < ts.size(); ++i) {
    std::string p = tempPath("rt" + std::to_string(i) + ".npy");
    ASSERT_OK(writeNpy(p, ts[i]));
    Expected<Tensor> r = readNpy(p);
    ASSERT_TRUE(r.hasValue()) << r.status().toString();
    EXPECT_EQ(r->shape(), ts[i].shape());
    EXPECT_EQ(r->dtype(), ts[i].dtype());
    EXPECT_EQ(std::memcmp(r->rawData(), ts[i].rawData(), ts[i].nbytes()), 0);
  }
  // Truncated data.
  std::string p = tempPath("rt0.npy");
  std::ifstream in(p, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  std::string cut = tempPath("cut.npy");
  std::ofstream(cut, std::ios::binary).write(bytes.data(), bytes.size() - 3);
  Expected<Tensor> r = readNpy(cut);
  ASSERT_FALSE(r.hasValue());
  EXPECT_EQ(r.status().code(), ErrorCode::FormatError);
  // Truncated header.
  std::ofstream(cut, std::ios::binary).write(bytes.data(), 20);
  EXPECT_EQ(readNpy(cut).status().code(), ErrorCode::FormatError);
  // Not npy.
  std::ofstream(cut, std::ios::binary) << "hello world, not numpy";
  EXPECT_EQ(readNpy(cut).status().code(), ErrorCode::FormatError);
  EXPECT_EQ(readNpy("/nonexistent.npy").status().code(), ErrorCode::IoError);
}

} // namespace
