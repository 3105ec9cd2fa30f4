//===- Npy.cpp - NumPy .npy files -----------------------------------------===//

#include "runtime/data/Npy.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace qrt;

namespace {
struct DescrMap {
  const char *descr;
  DType dtype;
};
// '|' means byte order does not apply; '<' little-endian.
constexpr DescrMap kDescrs[] = {{"<f4", DType::F32}, {"|i1", DType::I8},
                                {"|u1", DType::U8},  {"<i4", DType::I32},
                                {"<i8", DType::I64}, {"<i1", DType::I8},
                                {"<u1", DType::U8}};
} // namespace

/// The value of `'key': value` in the header dict, up to the next ',' or '}'
/// at nesting depth 0 (tuples contain commas).
static bool headerField(const std::string &header, const std::string &key,
                        std::string &value) {
  size_t pos = header.find("'" + key + "'");
  if (pos == std::string::npos)
    return false;
  pos = header.find(':', pos);
  if (pos == std::string::npos)
    return false;
  int depth = 0;
  size_t end = pos + 1;
  for (; end < header.size(); ++end) {
    char c = header[end];
    if (c == '(')
      ++depth;
    else if (c == ')')
      --depth;
    else if ((c == ',' || c == '}') && depth == 0)
      break;
  }
  value = header.substr(pos + 1, end - pos - 1);
  size_t b = value.find_first_not_of(" \t"), e = value.find_last_not_of(" \t");
  value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
  return true;
}

Expected<Tensor> qrt::readNpy(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return ioError(path + ": cannot open file");
  auto bad = [&](const std::string &why) {
    return formatError(path + ": not a valid .npy file: " + why);
  };
  char magic[8];
  if (!in.read(magic, 8))
    return bad("shorter than the 8-byte magic");
  if (std::memcmp(magic, "\x93NUMPY", 6) != 0)
    return bad("missing the \\x93NUMPY magic");
  int major = static_cast<unsigned char>(magic[6]);
  if (major < 1 || major > 3)
    return bad("unsupported format version " + std::to_string(major));
  uint32_t headerLen = 0;
  unsigned char lenBytes[4] = {0, 0, 0, 0};
  int lenSize = major == 1 ? 2 : 4;
  if (!in.read(reinterpret_cast<char *>(lenBytes), lenSize))
    return bad("truncated header length");
  for (int i = lenSize - 1; i >= 0; --i)
    headerLen = headerLen << 8 | lenBytes[i];
  if (headerLen > (1u << 20))
    return bad("header length " + std::to_string(headerLen) + " is too large");
  std::string header(headerLen, '\0');
  if (!in.read(header.data(), headerLen))
    return bad("truncated header");

  std::string descr, order, shapeText;
  if (!headerField(header, "descr", descr) ||
      !headerField(header, "fortran_order", order) ||
      !headerField(header, "shape", shapeText))
    return bad("header lacks descr, fortran_order or shape");
  if (order != "False")
    return bad("Fortran-order arrays are not supported (save with "
               "np.ascontiguousarray)");
  if (descr.size() < 2 || (descr.front() != '\'' && descr.front() != '"'))
    return bad("malformed descr " + descr);
  descr = descr.substr(1, descr.size() - 2);
  const DescrMap *match = nullptr;
  for (const DescrMap &m : kDescrs)
    if (descr == m.descr)
      match = &m;
  if (!match)
    return bad("unsupported dtype '" + descr +
               "' (supported: float32, int8, uint8, int32, int64, "
               "little-endian)");

  if (shapeText.size() < 2 || shapeText.front() != '(' ||
      shapeText.back() != ')')
    return bad("malformed shape " + shapeText);
  Shape shape;
  std::stringstream dims(shapeText.substr(1, shapeText.size() - 2));
  std::string dim;
  while (std::getline(dims, dim, ',')) {
    size_t b = dim.find_first_not_of(" \t");
    if (b == std::string::npos)
      continue; // trailing comma of a 1-tuple
    char *end = nullptr;
    long long v = std::strtoll(dim.c_str() + b, &end, 10);
    if (end == dim.c_str() + b || v < 0)
      return bad("malformed shape " + shapeText);
    shape.push_back(v);
  }
  Expected<Tensor> t = Tensor::create(shape, match->dtype);
  if (!t)
    return bad(t.status().message());
  if (!in.read(static_cast<char *>(t->rawData()),
               static_cast<std::streamsize>(t->nbytes())))
    return bad("data truncated: expected " + std::to_string(t->nbytes()) +
               " bytes for shape " + shapeToString(shape));
  return t;
}

Status qrt::writeNpy(const std::string &path, const Tensor &t) {
  const char *descr = nullptr;
  for (const DescrMap &m : kDescrs)
    if (m.dtype == t.dtype() && !descr)
      descr = m.descr;
  if (!t.defined() || !descr)
    return invalidArgument("writeNpy: undefined tensor or unsupported dtype");
  std::string shape = "(";
  for (int64_t d : t.shape())
    shape += std::to_string(d) + ", ";
  if (t.rank() > 1)
    shape.resize(shape.size() - 2);
  else if (t.rank() == 1)
    shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = "{'descr': '" + std::string(descr) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts on a 64-byte boundary; end with a newline.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out)
    return ioError(path + ": cannot open for writing");
  uint16_t len = static_cast<uint16_t>(header.size());
  char prefix[10] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0,
                     static_cast<char>(len & 0xff),
                     static_cast<char>(len >> 8)};
  out.write(prefix, 10);
  out.write(header.data(), header.size());
  out.write(static_cast<const char *>(t.rawData()),
            static_cast<std::streamsize>(t.nbytes()));
  if (!out)
    return ioError(path + ": write failed");
  return Status::ok();
}
