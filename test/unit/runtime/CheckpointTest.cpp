//===- CheckpointTest.cpp - checkpoint round trip and corruption ----------===//

#include "runtime/Checkpoint.h"
#include "TestUtil.h"
#include "runtime/CheckpointRename.h"

#include <cstring>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace qrt;
using namespace qrt::test;

namespace {

/// A fresh directory under $TMPDIR, removed when the test ends.
struct TempDir {
  std::string path;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

std::string makeTempDirPath(const std::string &tag) {
  const char *base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base ? base : "/tmp") + "/qrt-ckpt-" + tag + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  char *dir = mkdtemp(buf.data());
  EXPECT_NE(dir, nullptr);
  return dir ? dir : "";
}

std::vector<std::string> listDir(const std::string &dir) {
  std::vector<std::string> names;
  if (DIR *d = opendir(dir.c_str())) {
    while (dirent *e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..")
        names.push_back(n);
    }
    closedir(d);
  }
  return names;
}

std::string readAll(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
void writeAll(const std::string &path, const std::string &bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

Checkpoint sample() {
  std::mt19937 rng(5);
  Checkpoint c;
  c.meta["step"] = {1234};
  c.meta["epoch"] = {7};
  c.meta["rng"] = {0x0123456789abcdefULL, 42, 0, ~0ULL};
  c.tensors.emplace_back("conv1.weight",
                         randomUniform({8, 3, 3, 3}, -1.f, 1.f, rng));
  c.tensors.emplace_back("conv1.weight.momentum",
                         randomUniform({8, 3, 3, 3}, -1.f, 1.f, rng));
  c.tensors.emplace_back("fc.bias", randomUniform({10}, -1.f, 1.f, rng));
  c.tensors.emplace_back("labels", randomInt<int64_t>({5}, 0, 9, rng));
  c.tensors.emplace_back("codes", randomInt<int8_t>({2, 3}, -128, 127, rng));
  c.tensors.emplace_back("scalar", Tensor::fromVector<float>({}, {3.5f}));
  c.tensors.emplace_back("empty", Tensor::zeros({0, 4}, DType::F32));
  // Large enough to bypass the writer's buffer.
  c.tensors.emplace_back("big", randomUniform({300, 1000}, -1.f, 1.f, rng));
  return c;
}

TEST(Checkpoint, RoundTrip) {
  TempDir tmp{makeTempDirPath("rt")};
  const std::string &dir = tmp.path;
  std::string path = dir + "/model.qckpt";
  Checkpoint c = sample();
  ASSERT_OK(saveCheckpoint(path, c));
  Expected<Checkpoint> back = loadCheckpoint(path);
  ASSERT_TRUE(back.hasValue()) << back.status().toString();
  EXPECT_EQ(back->meta, c.meta);
  EXPECT_EQ(back->value("step"), 1234u);
  EXPECT_EQ(back->value("missing", 9), 9u);
  ASSERT_EQ(back->tensors.size(), c.tensors.size());
  for (size_t i = 0; i < c.tensors.size(); ++i) {
    const Tensor &a = c.tensors[i].second, &b = back->tensors[i].second;
    EXPECT_EQ(back->tensors[i].first, c.tensors[i].first);
    EXPECT_EQ(a.shape(), b.shape());
    EXPECT_EQ(a.dtype(), b.dtype());
    EXPECT_EQ(0, std::memcmp(a.rawData(), b.rawData(), a.nbytes()));
  }
  ASSERT_NE(back->find("fc.bias"), nullptr);
  EXPECT_EQ(back->find("nope"), nullptr);
  // Overwrite in place: still atomic, only the target remains.
  c.meta["step"] = {1235};
  ASSERT_OK(saveCheckpoint(path, c));
  EXPECT_EQ(loadCheckpoint(path)->value("step"), 1235u);
  EXPECT_EQ(listDir(dir), std::vector<std::string>{"model.qckpt"});
}

TEST(Checkpoint, TruncatedCorruptAndBadMagic) {
  TempDir tmp{makeTempDirPath("bad")};
  const std::string &dir = tmp.path;
  std::string path = dir + "/m.qckpt";
  ASSERT_OK(saveCheckpoint(path, sample()));
  std::string bytes = readAll(path);

  for (size_t keep :
       {bytes.size() - 1, bytes.size() / 2, size_t(30), size_t(9), size_t(0)}) {
    writeAll(path, bytes.substr(0, keep));
    Expected<Checkpoint> r = loadCheckpoint(path);
    ASSERT_FALSE(r.hasValue()) << keep;
    EXPECT_EQ(r.status().code(), ErrorCode::FormatError) << keep;
    if (keep >= 8)
      EXPECT_NE(r.status().message().find("truncated"), std::string::npos)
          << r.status().message();
  }

  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x40; // a bit in the tensor data
  writeAll(path, flipped);
  Expected<Checkpoint> r = loadCheckpoint(path);
  ASSERT_FALSE(r.hasValue());
  EXPECT_EQ(r.status().code(), ErrorCode::FormatError);
  EXPECT_NE(r.status().message().find("checksum"), std::string::npos);

  std::string magic = bytes;
  magic[0] = 'X';
  writeAll(path, magic);
  r = loadCheckpoint(path);
  ASSERT_FALSE(r.hasValue());
  EXPECT_NE(r.status().message().find("magic"), std::string::npos);

  std::string version = bytes;
  version[8] = 9;
  writeAll(path, version);
  r = loadCheckpoint(path);
  ASSERT_FALSE(r.hasValue());
  EXPECT_NE(r.status().message().find("version 9"), std::string::npos);

  r = loadCheckpoint(dir + "/does-not-exist");
  ASSERT_FALSE(r.hasValue());
  EXPECT_EQ(r.status().code(), ErrorCode::IoError);
}

TEST(Checkpoint, FailedWriteLeavesNothingBehind) {
  TempDir tmp{makeTempDirPath("fail")};
  const std::string &dir = tmp.path;
  // The target is a non-empty directory: the data is written and synced to
  // the temporary file, then rename() fails. The temporary must be removed
  // and the target untouched.
  std::string target = dir + "/ckpt";
  ASSERT_EQ(mkdir(target.c_str(), 0755), 0);
  writeAll(target + "/keep", "x");
  Status s = saveCheckpoint(target, sample());
  EXPECT_EQ(s.code(), ErrorCode::IoError);
  EXPECT_EQ(listDir(dir), std::vector<std::string>{"ckpt"});
  EXPECT_EQ(listDir(target), std::vector<std::string>{"keep"});

  // Missing directory: IoError at creation.
  EXPECT_EQ(saveCheckpoint(dir + "/no/such/dir/c", sample()).code(),
            ErrorCode::IoError);

  // An existing good checkpoint survives a failed save of a bad one.
  std::string good = dir + "/good.qckpt";
  ASSERT_OK(saveCheckpoint(good, sample()));
  Checkpoint dup = sample();
  dup.tensors.emplace_back("fc.bias", Tensor::zeros({1}, DType::F32));
  EXPECT_EQ(saveCheckpoint(good, dup).code(), ErrorCode::InvalidArgument);
  EXPECT_TRUE(loadCheckpoint(good).hasValue());
}

//===----------------------------------------------------------------------===//
// Renaming (--mf / --mt)
//===----------------------------------------------------------------------===//

std::vector<std::string> namesOf(const Checkpoint &c) {
  std::vector<std::string> names;
  for (const auto &t : c.tensors)
    names.push_back(t.first);
  return names;
}

Expected<std::vector<RenameRule>> rulesFrom(const std::string &dir,
                                            const std::string &from,
                                            const std::string &to) {
  writeAll(dir + "/mf.txt", from);
  writeAll(dir + "/mt.txt", to);
  return readRenameRules(dir + "/mf.txt", dir + "/mt.txt");
}

TEST(CheckpointRename, ExactAndPrefixRulesInOrder) {
  TempDir tmp{makeTempDirPath("mf")};
  // Blank and comment lines are skipped in each file separately; CRLF and
  // trailing blanks are tolerated.
  auto rules = rulesFrom(tmp.path, "# classifier\nfc.bias\r\n\nconv1.*\n*\n",
                         "head.bias  \n# detector\nbackbone.conv1.*\nx/*\n");
  ASSERT_TRUE(rules.hasValue()) << rules.status().toString();
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[1].where, tmp.path + "/mf.txt:4");
  std::vector<std::pair<std::string, std::string>> renamed;
  Expected<Checkpoint> out =
      renameTensors(sample(), *rules, "a.qckpt", &renamed);
  ASSERT_TRUE(out.hasValue()) << out.status().toString();
  // The first matching rule wins; "*" catches the rest.
  EXPECT_EQ(namesOf(*out),
            (std::vector<std::string>{"backbone.conv1.weight",
                                      "backbone.conv1.weight.momentum",
                                      "head.bias", "x/labels", "x/codes",
                                      "x/scalar", "x/empty", "x/big"}));
  EXPECT_EQ(renamed.size(), 8u);
  EXPECT_EQ(renamed[2],
            std::make_pair(std::string("fc.bias"), std::string("head.bias")));
  // Values and meta travel unchanged.
  Checkpoint in = sample();
  EXPECT_EQ(out->meta, in.meta);
  for (size_t i = 0; i < in.tensors.size(); ++i)
    EXPECT_EQ(0, std::memcmp(in.tensors[i].second.rawData(),
                             out->tensors[i].second.rawData(),
                             in.tensors[i].second.nbytes()));
}

TEST(CheckpointRename, UnmatchedNamesKeepTheirNames) {
  TempDir tmp{makeTempDirPath("keep")};
  auto rules = rulesFrom(tmp.path, "fc.bias\n", "head.bias\n");
  ASSERT_TRUE(rules.hasValue());
  Expected<Checkpoint> out = renameTensors(sample(), *rules, "a.qckpt");
  ASSERT_TRUE(out.hasValue());
  EXPECT_EQ(namesOf(*out)[0], "conv1.weight");
  EXPECT_EQ(namesOf(*out)[2], "head.bias");
}

TEST(CheckpointRename, BadRulesAreErrorsNamingFileAndLine) {
  TempDir tmp{makeTempDirPath("bad")};
  auto lengths = rulesFrom(tmp.path, "a\nb\n", "c\n");
  ASSERT_FALSE(lengths.hasValue());
  EXPECT_NE(lengths.status().message().find("has 2 names but"),
            std::string::npos);
  auto oneSided = rulesFrom(tmp.path, "a\nconv1.*\n", "b\nconv1\n");
  ASSERT_FALSE(oneSided.hasValue());
  EXPECT_NE(oneSided.status().message().find("mf.txt:2"), std::string::npos)
      << oneSided.status().message();
  EXPECT_NE(oneSided.status().message().find("prefix"), std::string::npos);
  auto inner = rulesFrom(tmp.path, "a*b\n", "c\n");
  ASSERT_FALSE(inner.hasValue());
  EXPECT_EQ(readRenameRules(tmp.path + "/none.txt", tmp.path + "/mt.txt")
                .status()
                .code(),
            ErrorCode::IoError);
}

TEST(CheckpointRename, RuleMatchingNothingOrClashingIsAnError) {
  TempDir tmp{makeTempDirPath("clash")};
  auto nothing = rulesFrom(tmp.path, "fc.bias\nlayer9.*\n", "h\nl9.*\n");
  ASSERT_TRUE(nothing.hasValue());
  Expected<Checkpoint> out = renameTensors(sample(), *nothing, "a.qckpt");
  ASSERT_FALSE(out.hasValue());
  EXPECT_NE(out.status().message().find("mf.txt:2: 'layer9.*' names no tensor "
                                        "of a.qckpt"),
            std::string::npos)
      << out.status().message();
  // Onto a name the checkpoint keeps.
  auto onto = rulesFrom(tmp.path, "fc.bias\n", "scalar\n");
  ASSERT_TRUE(onto.hasValue());
  out = renameTensors(sample(), *onto, "a.qckpt");
  ASSERT_FALSE(out.hasValue());
  EXPECT_NE(out.status().message().find(
                "'fc.bias' and 'scalar' would both be named 'scalar'"),
            std::string::npos)
      << out.status().message();
}

} // namespace
