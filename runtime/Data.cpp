//===- Data.cpp -----------------------------------------------------------===//

#include "runtime/Data.h"

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

namespace qrt {

namespace {

/// Reads the whole (possibly gzipped) file. gzread passes plain files
/// through unchanged.
Status readAll(const std::string &path, std::vector<uint8_t> &out) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f)
    return ioError("cannot open " + path);
  out.clear();
  std::vector<uint8_t> buf(1 << 20);
  while (true) {
    int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      int err = 0;
      std::string msg = gzerror(f, &err);
      gzclose(f);
      return formatError(path + ": decompression failed: " + msg);
    }
    if (n == 0)
      break;
    out.insert(out.end(), buf.begin(), buf.begin() + n);
  }
  // A truncated gzip stream reads short without an error code from gzread in
  // some zlib versions; gzclose reports it.
  int rc = gzclose(f);
  if (rc != Z_OK && rc != Z_BUF_ERROR)
    return formatError(path + ": corrupt or truncated gzip stream");
  if (rc == Z_BUF_ERROR)
    return formatError(path + ": truncated gzip stream");
  return Status::ok();
}

uint32_t bigEndian32(const uint8_t *p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) |
         (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

} // namespace

Expected<Tensor> readIdx(const std::string &path) {
  std::vector<uint8_t> bytes;
  QRT_RETURN_IF_ERROR(readAll(path, bytes));
  if (bytes.size() < 4)
    return formatError(path + ": too short for an IDX header");
  if (bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08)
    return formatError(path + ": bad IDX magic (expected 00 00 08 nn for "
                              "unsigned bytes)");
  int ndims = bytes[3];
  if (ndims < 1 || ndims > 4)
    return formatError(path + ": IDX rank " + std::to_string(ndims) +
                       " not in [1, 4]");
  size_t header = 4 + 4 * static_cast<size_t>(ndims);
  if (bytes.size() < header)
    return formatError(path + ": truncated IDX header");
  Shape shape;
  for (int d = 0; d < ndims; ++d)
    shape.push_back(bigEndian32(bytes.data() + 4 + 4 * d));
  size_t expect = static_cast<size_t>(numElements(shape));
  if (bytes.size() - header < expect)
    return formatError(path + ": truncated: header promises " +
                       std::to_string(expect) + " bytes of data, file has " +
                       std::to_string(bytes.size() - header));
  if (bytes.size() - header > expect)
    return formatError(path + ": " +
                       std::to_string(bytes.size() - header - expect) +
                       " trailing bytes after the data");
  Expected<Tensor> t = Tensor::create(shape, DType::U8);
  if (!t)
    return t.status();
  std::memcpy(t->rawData(), bytes.data() + header, expect);
  return t;
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

static const char *npyDescr(DType d) {
  switch (d) {
  case DType::F32:
    return "<f4";
  case DType::I8:
    return "|i1";
  case DType::U8:
    return "|u1";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  }
  return "";
}

Status writeNpy(const std::string &path, const Tensor &t) {
  if (!t.defined())
    return invalidArgument("writeNpy: undefined tensor");
  std::string shape = "(";
  for (size_t i = 0; i < t.shape().size(); ++i)
    shape += std::to_string(t.shape()[i]) +
             (t.rank() == 1 ? "," : (i + 1 < t.shape().size() ? ", " : ""));
  shape += ")";
  std::string header = std::string("{'descr': '") + npyDescr(t.dtype()) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so that magic(6) + version(2) + len(2) + header + '\n'
  // is a multiple of 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream f(path, std::ios::binary);
  if (!f)
    return ioError("cannot create " + path);
  const char magic[] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0};
  f.write(magic, 8);
  uint16_t len = static_cast<uint16_t>(header.size());
  char lenBytes[2] = {char(len & 0xff), char(len >> 8)};
  f.write(lenBytes, 2);
  f.write(header.data(), header.size());
  f.write(static_cast<const char *>(t.rawData()), t.nbytes());
  if (!f)
    return ioError("write failed: " + path);
  return Status::ok();
}

/// Value of `key` in the header dict, as raw text up to the next top-level
/// comma (tuples kept whole).
static bool dictValue(const std::string &h, const std::string &key,
                      std::string &value) {
  size_t k = h.find("'" + key + "'");
  if (k == std::string::npos)
    return false;
  size_t colon = h.find(':', k);
  if (colon == std::string::npos)
    return false;
  size_t i = colon + 1;
  while (i < h.size() && h[i] == ' ')
    ++i;
  size_t end = i;
  int depth = 0;
  for (; end < h.size(); ++end) {
    if (h[end] == '(')
      ++depth;
    else if (h[end] == ')')
      --depth;
    else if ((h[end] == ',' || h[end] == '}') && depth == 0)
      break;
  }
  value = h.substr(i, end - i);
  return true;
}

Expected<Tensor> readNpy(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  if (!f)
    return ioError("cannot open " + path);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)),
                          std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    return formatError(path + ": not a .npy file (bad magic)");
  int major = static_cast<uint8_t>(bytes[6]);
  size_t lenSize = major == 1 ? 2 : 4;
  if (major < 1 || major > 3)
    return formatError(path + ": unsupported .npy version " +
                       std::to_string(major));
  if (bytes.size() < 8 + lenSize)
    return formatError(path + ": truncated header");
  size_t hlen = 0;
  for (size_t i = 0; i < lenSize; ++i)
    hlen |= size_t(static_cast<uint8_t>(bytes[8 + i])) << (8 * i);
  size_t dataStart = 8 + lenSize + hlen;
  if (bytes.size() < dataStart)
    return formatError(path + ": truncated header");
  std::string h(bytes.begin() + 8 + lenSize, bytes.begin() + dataStart);
  std::string descr, fortran, shapeText;
  if (!dictValue(h, "descr", descr) ||
      !dictValue(h, "fortran_order", fortran) ||
      !dictValue(h, "shape", shapeText))
    return formatError(path + ": header lacks descr/fortran_order/shape");
  if (fortran != "False")
    return Status::error(ErrorCode::Unsupported,
                         path + ": Fortran-order arrays are not supported");
  DType dtype;
  if (descr == "'<f4'")
    dtype = DType::F32;
  else if (descr == "'|i1'" || descr == "'<i1'")
    dtype = DType::I8;
  else if (descr == "'|u1'" || descr == "'<u1'")
    dtype = DType::U8;
  else if (descr == "'<i4'")
    dtype = DType::I32;
  else if (descr == "'<i8'")
    dtype = DType::I64;
  else
    return Status::error(ErrorCode::Unsupported,
                         path + ": unsupported dtype " + descr);
  if (shapeText.size() < 2 || shapeText.front() != '(' ||
      shapeText.back() != ')')
    return formatError(path + ": bad shape " + shapeText);
  Shape shape;
  std::string inner = shapeText.substr(1, shapeText.size() - 2);
  size_t pos = 0;
  while (pos < inner.size()) {
    size_t comma = inner.find(',', pos);
    std::string tok = inner.substr(
        pos, comma == std::string::npos ? std::string::npos : comma - pos);
    tok.erase(0, tok.find_first_not_of(' '));
    tok.erase(tok.find_last_not_of(' ') + 1);
    if (!tok.empty()) {
      char *endp = nullptr;
      long long d = std::strtoll(tok.c_str(), &endp, 10);
      if (*endp != '\0' || d < 0)
        return formatError(path + ": bad shape " + shapeText);
      shape.push_back(d);
    }
    if (comma == std::string::npos)
      break;
    pos = comma + 1;
  }
  // The data the header promises, checked against the file before
  // anything is allocated (numElements saturates instead of overflowing).
  size_t have = bytes.size() - dataStart;
  int64_t elements = numElements(shape);
  size_t esize = dtypeSize(dtype);
  if (elements < 0 ||
      static_cast<uint64_t>(elements) > have / esize ||
      static_cast<uint64_t>(elements) * esize != have)
    return formatError(path + ": data is " + std::to_string(have) +
                       " bytes, shape " + shapeToString(shape) + " needs " +
                       (elements >= 0 &&
                                static_cast<uint64_t>(elements) <=
                                    UINT64_MAX / esize
                            ? std::to_string(static_cast<uint64_t>(elements) *
                                             esize)
                            : std::string("more than 2^64")));
  Expected<Tensor> t = Tensor::create(shape, dtype);
  if (!t)
    return t.status();
  std::memcpy(t->rawData(), bytes.data() + dataStart, t->nbytes());
  return t;
}

} // namespace qrt
