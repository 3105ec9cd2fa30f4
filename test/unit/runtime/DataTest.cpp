//===- DataTest.cpp - IDX loader (real Fashion-MNIST files) and .npy ------===//

#include "runtime/Data.h"
#include "runtime/Dataset.h"
#include "TestUtil.h"

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <tuple>

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

/// A .npy header promising more data than the file holds fails before
/// anything is allocated (fuzz-npy: a 150-byte file promising 19 GB).
TEST(Npy, HeaderPromisingMoreThanTheFileFailsBeforeAllocating) {
  auto write = [](const std::string &path, const std::string &shape) {
    std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': " +
                    shape + ", }";
    h.append((64 - (10 + h.size() + 1) % 64) % 64, ' ');
    h += '\n';
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    char len[2] = {char(h.size() & 0xff), char(h.size() >> 8)};
    f.write(len, 2);
    f << h << std::string(40, '\0');
  };
  std::string big = tempPath("big.npy");
  write(big, "(100000, 100000, 10)");
  Expected<Tensor> r = readNpy(big);
  ASSERT_FALSE(r.hasValue());
  EXPECT_EQ(r.status().code(), ErrorCode::FormatError);
  EXPECT_NE(r.status().message().find(
                "data is 40 bytes, shape [100000, 100000, 10] needs "
                "400000000000"),
            std::string::npos)
      << r.status().message();
  write(big, "(1099511627776, 1099511627776)");
  r = readNpy(big);
  ASSERT_FALSE(r.hasValue());
  EXPECT_NE(r.status().message().find("needs more than 2^64"),
            std::string::npos)
      << r.status().message();
}


//===----------------------------------------------------------------------===//
// Preprocessing specs and data sets (docs/data.md)
//===----------------------------------------------------------------------===//

std::string parseError(const std::string &spec) {
  Expected<Preprocess> p = Preprocess::parse(spec);
  return p.hasValue() ? std::string("(parsed)") : p.status().message();
}

TEST(Preprocess, SpecsParseAndPrintCanonically) {
  Expected<Preprocess> p = Preprocess::parse(
      " Resize( (36, 40) ), CenterCrop(size=32),RandomCrop(28, padding=2),"
      "RandomHorizontalFlip(0.25),Pad([1, 2]),Grayscale(3),ToTensor(),"
      "Normalize(mean=[0.5, 0.4, 0.3], std=0.2),ToBGR,Scale(255)");
  ASSERT_TRUE(p.hasValue()) << p.status().toString();
  EXPECT_EQ(p->steps().size(), 10u);
  EXPECT_TRUE(p->hasRandom());
  std::string canonical = p->str();
  EXPECT_EQ(canonical,
            "Resize([36, 40]), CenterCrop(32), RandomCrop([28, 28], "
            "padding=2), RandomHorizontalFlip(p=0.25), Pad([1, 2, 1, 2], "
            "fill=0), Grayscale(3), ToTensor, Normalize(mean=[0.5, 0.4, "
            "0.3], std=[0.2]), ToBGR, Scale(255)");
  // The canonical spelling parses to itself.
  Expected<Preprocess> again = Preprocess::parse(canonical);
  ASSERT_TRUE(again.hasValue()) << again.status().toString();
  EXPECT_EQ(again->str(), canonical);
  EXPECT_EQ(Preprocess::parse("")->str(), "(none)");
  EXPECT_FALSE(Preprocess::parse("ToTensor")->hasRandom());
}

TEST(Preprocess, BadSpecsNameTheTransformAndArgument) {
  EXPECT_EQ(parseError("Blur(3)").rfind("--transform: unknown transform "
                                        "'Blur' (known: Resize,",
                                        0),
            0u);
  EXPECT_NE(parseError("Resize()").find("Resize in 'Resize()': needs 'size'"),
            std::string::npos);
  EXPECT_NE(parseError("Resize(0)").find("'size' must be positive integers"),
            std::string::npos);
  EXPECT_NE(parseError("Resize(2.5)").find("must be positive integers"),
            std::string::npos);
  EXPECT_NE(parseError("Resize([1,2,3])")
                .find("'size' must be one size or [height, width]"),
            std::string::npos);
  EXPECT_NE(parseError("Resize(8, interpolation=bicubic)")
                .find("interpolation must be bilinear or nearest"),
            std::string::npos);
  EXPECT_NE(parseError("Resize(8, antialias=True)")
                .find("antialias=True is not supported"),
            std::string::npos);
  EXPECT_NE(parseError("Normalize([0.5, 0.5], [0.1, 0.2, 0.3])")
                .find("mean has 2 values and std 3"),
            std::string::npos);
  EXPECT_NE(parseError("RandomHorizontalFlip(2)")
                .find("'p' = 2 is out of range [0, 1]"),
            std::string::npos);
  EXPECT_NE(parseError("Grayscale(2)")
                .find("num_output_channels must be 1 or 3"),
            std::string::npos);
  EXPECT_NE(parseError("Pad([1, 2, 3])").find("padding must be 1, 2"),
            std::string::npos);
  EXPECT_NE(parseError("ToTensor(1)").find("too many arguments (it takes none)"),
            std::string::npos);
  EXPECT_NE(parseError("CenterCrop(size=3, 4)")
                .find("a positional argument after a keyword argument"),
            std::string::npos);
  EXPECT_NE(parseError("CenterCrop(3, size=4)").find("'size' given twice"),
            std::string::npos);
  EXPECT_NE(parseError("Scale()").find("needs 'factor'"), std::string::npos);
  EXPECT_NE(parseError("Normalize(mean=[a], std=[1])")
                .find("cannot read '[a]'"),
            std::string::npos);
  EXPECT_NE(parseError("ToTensor,,Resize(3)").find("an empty transform"),
            std::string::npos);
  EXPECT_NE(parseError("Resize(3").find("unbalanced"), std::string::npos);
  EXPECT_NE(parseError("Resize(3)x").find("does not end with ')'"),
            std::string::npos);
}

TEST(Preprocess, ApplyErrorsNameTheImage) {
  Image img;
  img.resize(2, 4, 4);
  Expected<Preprocess> gray = Preprocess::parse("Grayscale(1)");
  EXPECT_NE(gray->apply(img, false, 0).message().find(
                "Grayscale of a 2x4x4 image: it needs 1 or 3 channels"),
            std::string::npos);
  Expected<Preprocess> crop = Preprocess::parse("RandomCrop(6)");
  EXPECT_NE(crop->apply(img, true, 0).message().find(
                "RandomCrop(6, 6) of a 2x4x4 image"),
            std::string::npos);
  Expected<Preprocess> norm = Preprocess::parse("Normalize([0,0,0],[1,1,1])");
  EXPECT_NE(norm->apply(img, false, 0).message().find(
                "Normalize with 3 channel values on a 2x4x4 image"),
            std::string::npos);
}

TEST(Dataset, NpyFloatNchwAndByteNhwc) {
  // f32 NCHW: taken as they are, ToTensor leaves them.
  Tensor f = Tensor::empty({2, 3, 2, 2}, DType::F32);
  for (int64_t i = 0; i < f.numel(); ++i)
    f.data<float>()[i] = 0.5f * i - 3.f;
  std::string fp = tempPath("f.npy"), lp = tempPath("l.npy");
  ASSERT_OK(writeNpy(fp, f));
  ASSERT_OK(writeNpy(lp, Tensor::fromVector<int32_t>({2}, {7, 1})));
  Expected<DataSource> a = openDataSource("npy:" + fp + ",labels=" + lp,
                                          DataRole::Train, "ToTensor", kDir,
                                          0.f, 1.f, "--data");
  ASSERT_TRUE(a.hasValue()) << a.status().toString();
  EXPECT_EQ(a->dataset().numClasses(), 8);
  Tensor images, labels;
  ASSERT_OK(a->batch(0, 2, images, labels));
  EXPECT_EQ(std::memcmp(images.rawData(), f.rawData(), f.nbytes()), 0);
  EXPECT_EQ(labels.data<int64_t>()[0], 7);
  // u8 NHWC: transposed to CHW, divided by 255 by ToTensor.
  Tensor u = Tensor::empty({1, 2, 2, 3}, DType::U8);
  for (int64_t i = 0; i < u.numel(); ++i)
    u.data<uint8_t>()[i] = static_cast<uint8_t>(10 * i);
  std::string up = tempPath("u.npy");
  ASSERT_OK(writeNpy(up, u));
  Expected<DataSource> b = openDataSource("npy:" + up + ",layout=nhwc",
                                          DataRole::Eval, "ToTensor", kDir,
                                          0.f, 1.f, "--data");
  ASSERT_TRUE(b.hasValue()) << b.status().toString();
  EXPECT_FALSE(b->hasLabels());
  // batch() fills preallocated outputs of its shape, or undefined ones.
  EXPECT_FALSE(b->batch(0, 1, images, labels).isOk());
  images = labels = Tensor();
  ASSERT_OK(b->batch(0, 1, images, labels));
  EXPECT_EQ(images.shape(), (Shape{1, 3, 2, 2}));
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t p = 0; p < 4; ++p)
      EXPECT_EQ(images.data<float>()[c * 4 + p],
                u.data<uint8_t>()[p * 3 + c] / 255.f);
  EXPECT_EQ(labels.data<int64_t>()[0], -1);
  // Unlabelled data cannot train.
  std::string bad = tempPath("i64.npy");
  ASSERT_OK(writeNpy(bad, Tensor::fromVector<int64_t>({2}, {1, 2})));
  Expected<DataSource> c = openDataSource("npy:" + bad, DataRole::Eval, "",
                                          kDir, 0.f, 1.f, "--eval-data");
  EXPECT_NE(c.status().message().find("images must be uint8 or float32"),
            std::string::npos);
}

TEST(Dataset, Cifar100FineAndCoarseLabels) {
  // Two records: <coarse><fine><3072 bytes>.
  std::string p = tempPath("train.bin");
  {
    std::ofstream f(p, std::ios::binary);
    for (int r = 0; r < 2; ++r) {
      char head[2] = {char(3 + r), char(42 + r)};
      f.write(head, 2);
      std::vector<char> pixels(3072, char(r * 100));
      f.write(pixels.data(), pixels.size());
    }
  }
  for (auto [label, want, classes] :
       {std::tuple<const char *, int64_t, int64_t>{"fine", 43, 100},
        {"coarse", 4, 20}}) {
    Expected<DataSource> d = openDataSource(
        "cifar100:" + p + ",label=" + label, DataRole::Train, "", kDir, 0.f,
        1.f, "--data");
    ASSERT_TRUE(d.hasValue()) << d.status().toString();
    EXPECT_EQ(d->dataset().numClasses(), classes);
    Tensor images, labels;
    ASSERT_OK(d->batch(1, 1, images, labels));
    EXPECT_EQ(labels.data<int64_t>()[0], want) << label;
    EXPECT_EQ(images.shape(), (Shape{1, 3, 32, 32}));
    EXPECT_EQ(images.data<float>()[5], 100.f / 255.f);
  }
  EXPECT_NE(openDataSource("cifar100:" + p + ",label=medium", DataRole::Train,
                           "", kDir, 0.f, 1.f, "--data")
                .status()
                .message()
                .find("label must be fine or coarse"),
            std::string::npos);
}

TEST(Dataset, DecodeRejectsWhatIsNotPngOrJpeg) {
  Image img;
  EXPECT_NE(decodeImage({}, "a.png", img).message().find(
                "a.png: not a PNG or JPEG file (empty)"),
            std::string::npos);
  EXPECT_NE(decodeImage({'G', 'I', 'F', '8'}, "b.jpg", img)
                .message()
                .find("b.jpg: not a PNG or JPEG file"),
            std::string::npos);
  std::vector<uint8_t> jpegHead = {0xff, 0xd8, 0xff, 0xe0, 0, 16};
  EXPECT_NE(decodeImage(jpegHead, "c.jpg", img).message().find(
                "c.jpg: cannot decode JPEG:"),
            std::string::npos);
}

/// Sizes that would not fit in memory are errors before anything is
/// allocated: a transform's output, a PNG or JPEG header's dimensions.
TEST(Dataset, HugeImagesAreRefusedBeforeAllocating) {
  Image img;
  img.resize(3, 7, 9);
  Expected<Preprocess> resize = Preprocess::parse("Resize([65536, 65536])");
  ASSERT_TRUE(resize.hasValue());
  EXPECT_NE(resize->apply(img, false, 0).message().find(
                "Resize to 3x65536x65536: more than 2^26 values"),
            std::string::npos);
  Expected<Preprocess> pad = Preprocess::parse("Pad(4096)");
  ASSERT_TRUE(pad.hasValue());
  img.resize(16, 7, 9);
  EXPECT_NE(pad->apply(img, false, 0).message().find(
                "Pad to 16x8199x8201: more than 2^26 values"),
            std::string::npos);
  // A PNG whose IHDR says 100000 x 100000 (valid CRC, no image data).
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> ihdr = {'I', 'H', 'D', 'R'};
  for (uint32_t v : {100000u, 100000u})
    for (int shift = 24; shift >= 0; shift -= 8)
      ihdr.push_back(static_cast<uint8_t>(v >> shift));
  for (uint8_t b : {8, 2, 0, 0, 0}) // 8-bit RGB, no interlace
    ihdr.push_back(b);
  auto chunk = [&](std::vector<uint8_t> body) { // type + data
    uint32_t length = static_cast<uint32_t>(body.size() - 4);
    for (int shift = 24; shift >= 0; shift -= 8)
      png.push_back(static_cast<uint8_t>(length >> shift));
    png.insert(png.end(), body.begin(), body.end());
    uint32_t crc = crc32(0, body.data(), body.size());
    for (int shift = 24; shift >= 0; shift -= 8)
      png.push_back(static_cast<uint8_t>(crc >> shift));
  };
  png.resize(8);
  chunk(ihdr);
  chunk({'I', 'D', 'A', 'T'}); // libpng reads the header up to here
  chunk({'I', 'E', 'N', 'D'});
  Status s = decodeImage(png, "huge.png", img);
  EXPECT_NE(s.message().find(
                "huge.png: the image is 100000 x 100000 pixels (at most 2^26 "
                "are read)"),
            std::string::npos)
      << s.message();
}

} // namespace
