//===- Checkpoint.cpp -----------------------------------------------------===//

#include "runtime/Checkpoint.h"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace qrt {

namespace {

constexpr char kMagic[8] = {'Q', 'R', 'T', 'C', 'K', 'P', 'T', '\0'};
constexpr char kEndMagic[8] = {'Q', 'R', 'T', 'C', 'E', 'N', 'D', '\0'};
constexpr size_t kTrailerSize = 4 + sizeof(kEndMagic);

std::string errnoText() { return std::strerror(errno); }

/// Buffered writer to a file descriptor that checksums what it writes.
class Writer {
public:
  explicit Writer(int fd) : fd_(fd) {}
  bool put(const void *data, size_t n) {
    crc_ = crc32_z(crc_, static_cast<const Bytef *>(data), n);
    return raw(data, n);
  }
  template <typename T> bool pod(T v) { return put(&v, sizeof(T)); }
  bool str(const std::string &s) {
    return pod<uint32_t>(static_cast<uint32_t>(s.size())) &&
           put(s.data(), s.size());
  }
  /// Appends the trailer (checksum of everything so far, end marker).
  bool finish() {
    uint32_t crc = static_cast<uint32_t>(crc_);
    return raw(&crc, sizeof(crc)) && raw(kEndMagic, sizeof(kEndMagic)) &&
           flush();
  }

private:
  bool raw(const void *data, size_t n) {
    const char *p = static_cast<const char *>(data);
    if (buf_.size() + n > kBuf && !flush())
      return false;
    if (n >= kBuf) // big tensor payloads go straight to the file
      return writeAll(p, n);
    buf_.insert(buf_.end(), p, p + n);
    return true;
  }
  bool flush() {
    bool ok = writeAll(buf_.data(), buf_.size());
    buf_.clear();
    return ok;
  }
  bool writeAll(const char *p, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }
  static constexpr size_t kBuf = 1 << 16;
  int fd_;
  uLong crc_ = crc32_z(0L, Z_NULL, 0);
  std::vector<char> buf_;
};

/// Bounds-checked reader over the verified file contents.
class Reader {
public:
  Reader(const char *p, size_t n) : p_(p), n_(n) {}
  bool get(void *out, size_t k) {
    if (k > n_ - pos_)
      return false;
    std::memcpy(out, p_ + pos_, k);
    pos_ += k;
    return true;
  }
  template <typename T> bool pod(T &v) { return get(&v, sizeof(T)); }
  bool str(std::string &s) {
    uint32_t len = 0;
    if (!pod(len) || len > n_ - pos_)
      return false;
    s.assign(p_ + pos_, len);
    pos_ += len;
    return true;
  }
  size_t remaining() const { return n_ - pos_; }

private:
  const char *p_;
  size_t n_, pos_ = 0;
};

std::string dirOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status writeBody(Writer &w, const Checkpoint &c) {
  bool ok = w.put(kMagic, sizeof(kMagic)) &&
            w.pod<uint32_t>(kCheckpointVersion) && w.pod<uint32_t>(0) &&
            w.pod<uint64_t>(c.meta.size()) && w.pod<uint64_t>(c.tensors.size());
  for (const auto &[key, values] : c.meta) {
    ok = ok && w.str(key) && w.pod<uint64_t>(values.size());
    if (ok && !values.empty())
      ok = w.put(values.data(), values.size() * sizeof(uint64_t));
  }
  for (const auto &[name, t] : c.tensors) {
    ok = ok && w.str(name) &&
         w.pod<uint32_t>(static_cast<uint32_t>(t.dtype())) &&
         w.pod<uint32_t>(static_cast<uint32_t>(t.rank()));
    for (int64_t d = 0; ok && d < t.rank(); ++d)
      ok = w.pod<int64_t>(t.dim(d));
    ok = ok && w.pod<uint64_t>(t.nbytes());
    if (ok && t.nbytes() > 0)
      ok = w.put(t.rawData(), t.nbytes());
  }
  ok = ok && w.finish();
  if (!ok)
    return ioError("checkpoint: write failed: " + errnoText());
  return Status::ok();
}

} // namespace

const Tensor *Checkpoint::find(const std::string &name) const {
  for (const auto &kv : tensors)
    if (kv.first == name)
      return &kv.second;
  return nullptr;
}

uint64_t Checkpoint::value(const std::string &key, uint64_t fallback) const {
  auto it = meta.find(key);
  return it == meta.end() || it->second.empty() ? fallback : it->second[0];
}

Status saveCheckpoint(const std::string &path, const Checkpoint &c) {
  std::set<std::string> names;
  for (const auto &[name, t] : c.tensors) {
    if (name.empty() || !names.insert(name).second)
      return invalidArgument("checkpoint: tensor names must be unique and "
                             "non-empty, got '" +
                             name + "'");
    if (!t.defined())
      return invalidArgument("checkpoint: tensor '" + name + "' is undefined");
  }
  // A unique temporary name in the target's directory, so rename() is
  // atomic (same file system).
  static std::atomic<uint64_t> counter{0};
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                    std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return ioError("checkpoint: cannot create " + tmp + ": " + errnoText());
  Writer w(fd);
  Status s = writeBody(w, c);
  if (s && ::fsync(fd) != 0)
    s = ioError("checkpoint: fsync " + tmp + ": " + errnoText());
  if (::close(fd) != 0 && s)
    s = ioError("checkpoint: close " + tmp + ": " + errnoText());
  if (s && ::rename(tmp.c_str(), path.c_str()) != 0)
    s = ioError("checkpoint: rename to " + path + ": " + errnoText());
  if (!s) {
    ::unlink(tmp.c_str());
    return s;
  }
  // Persist the directory entry too.
  int dfd = ::open(dirOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::ok();
}

Expected<Checkpoint> loadCheckpoint(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return ioError("checkpoint: cannot open " + path + ": " + errnoText());
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return ioError("checkpoint: cannot stat " + path + ": " + errnoText());
  }
  std::vector<char> data(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < data.size()) {
    ssize_t r = ::read(fd, data.data() + got, data.size() - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  if (got != data.size())
    return ioError("checkpoint: short read of " + path);

  const std::string where = "checkpoint " + path + ": ";
  size_t n = data.size();
  if (n < sizeof(kMagic) || std::memcmp(data.data(), kMagic, sizeof(kMagic)))
    return formatError(where + "bad magic (not a qrt checkpoint)");
  if (n < sizeof(kMagic) + 8 + 16 + kTrailerSize)
    return formatError(where + "truncated (" + std::to_string(n) + " bytes)");
  uint32_t version = 0;
  std::memcpy(&version, data.data() + sizeof(kMagic), 4);
  if (version != kCheckpointVersion)
    return formatError(where + "unsupported version " +
                       std::to_string(version) + " (expected " +
                       std::to_string(kCheckpointVersion) + ")");
  if (std::memcmp(data.data() + n - sizeof(kEndMagic), kEndMagic,
                  sizeof(kEndMagic)))
    return formatError(where + "truncated (end marker missing)");
  size_t body = n - kTrailerSize;
  uint32_t stored = 0;
  std::memcpy(&stored, data.data() + body, 4);
  uint32_t crc = static_cast<uint32_t>(
      crc32_z(crc32_z(0L, Z_NULL, 0),
              reinterpret_cast<const Bytef *>(data.data()), body));
  if (crc != stored)
    return formatError(where + "checksum mismatch (corrupt file)");

  Reader r(data.data() + sizeof(kMagic) + 8, body - sizeof(kMagic) - 8);
  uint64_t numMeta = 0, numTensors = 0;
  if (!r.pod(numMeta) || !r.pod(numTensors))
    return formatError(where + "truncated header");
  Checkpoint c;
  for (uint64_t i = 0; i < numMeta; ++i) {
    std::string key;
    uint64_t count = 0;
    if (!r.str(key) || !r.pod(count) || count > r.remaining() / 8)
      return formatError(where + "bad meta entry " + std::to_string(i));
    std::vector<uint64_t> values(count);
    if (count && !r.get(values.data(), count * 8))
      return formatError(where + "bad meta entry " + key);
    c.meta[key] = std::move(values);
  }
  for (uint64_t i = 0; i < numTensors; ++i) {
    std::string name;
    uint32_t dtype = 0, rank = 0;
    if (!r.str(name) || !r.pod(dtype) || !r.pod(rank) ||
        dtype > static_cast<uint32_t>(DType::I64) || rank > 16)
      return formatError(where + "bad tensor entry " + std::to_string(i));
    Shape shape(rank);
    for (uint32_t d = 0; d < rank; ++d)
      if (!r.pod(shape[d]) || shape[d] < 0)
        return formatError(where + "bad shape of tensor '" + name + "'");
    uint64_t nbytes = 0;
    if (!r.pod(nbytes) || nbytes > r.remaining())
      return formatError(where + "truncated data of tensor '" + name + "'");
    // Check the declared size against the shape before allocating.
    uint64_t elems = 1;
    bool overflow = false;
    for (int64_t d : shape) {
      if (d != 0 && elems > UINT64_MAX / static_cast<uint64_t>(d))
        overflow = true;
      elems *= static_cast<uint64_t>(d);
    }
    if (overflow || elems > nbytes ||
        elems * dtypeSize(static_cast<DType>(dtype)) != nbytes)
      return formatError(where + "tensor '" + name + "' " +
                         shapeToString(shape) + " declares " +
                         std::to_string(nbytes) + " bytes");
    Expected<Tensor> t = Tensor::create(shape, static_cast<DType>(dtype));
    if (!t)
      return formatError(where + "tensor '" + name +
                         "': " + t.status().message());
    if (nbytes && !r.get(t->rawData(), nbytes))
      return formatError(where + "truncated data of tensor '" + name + "'");
    c.tensors.emplace_back(std::move(name), std::move(*t));
  }
  if (r.remaining() != 0)
    return formatError(where + "trailing bytes after the last tensor");
  return c;
}

} // namespace qrt
