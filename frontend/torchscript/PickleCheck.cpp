//===- PickleCheck.cpp - lengths in a pickle against its size -------------===//

#include "frontend/torchscript/PickleCheck.h"

#include <cstring>

namespace qopt::torch_import {

namespace {
uint64_t littleEndian(const uint8_t *p, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i)
    v |= uint64_t(p[i]) << (8 * i);
  return v;
}
} // namespace

bool checkPickleLengths(const uint8_t *data, size_t size, std::string &error) {
  size_t pos = 0;
  auto tooLong = [&](uint8_t op, uint64_t length) {
    error = "a pickle opcode 0x" +
            std::string(1, "0123456789abcdef"[op >> 4]) +
            std::string(1, "0123456789abcdef"[op & 15]) + " at byte " +
            std::to_string(pos) + " declares " + std::to_string(length) +
            " bytes, but " + std::to_string(size - pos) + " remain";
    return false;
  };
  size_t ops = 0;
  while (pos < size) {
    uint8_t op = data[pos++];
    ++ops;
    unsigned fixed = 0;     // bytes of a fixed-size argument
    unsigned lengthOf = 0;  // bytes of a length prefix, then that many bytes
    unsigned lines = 0;     // newline-terminated arguments
    switch (op) {
    case '.': // STOP
      return true;
    // No argument.
    case '(': case '0': case '1': case '2': case 'N': case 'R': case 'a':
    case 'b': case 'd': case '}': case 'e': case 'l': case ']': case 'o':
    case 's': case 't': case ')': case 'u': case 'Q': case 0x81: case 0x85:
    case 0x86: case 0x87: case 0x88: case 0x89: case 0x8f: case 0x90:
    case 0x91: case 0x92: case 0x93: case 0x94: case 0x97: case 0x98:
      break;
    // A fixed-size argument.
    case 0x80: case 'K': case 'h': case 'q': case 0x82: // PROTO, 1 byte
      fixed = 1;
      break;
    case 'M': case 0x83: // BININT2, EXT2
      fixed = 2;
      break;
    case 'J': case 'j': case 'r': case 0x84: // BININT, LONG_BINGET/PUT, EXT4
      fixed = 4;
      break;
    case 'G': case 0x95: // BINFLOAT, FRAME
      fixed = 8;
      break;
    // A length, then that many bytes.
    case 'U': case 0x8c: case 'C': case 0x8a: // SHORT_BIN*, LONG1
      lengthOf = 1;
      break;
    case 'T': case 'X': case 'B': case 0x8b: // BINSTRING, BINUNICODE, ...
      lengthOf = 4;
      break;
    case 0x8d: case 0x8e: case 0x96: // BINUNICODE8, BINBYTES8, BYTEARRAY8
      lengthOf = 8;
      break;
    // Text arguments up to a newline.
    case 'I': case 'L': case 'F': case 'S': case 'V': case 'P': case 'g':
    case 'p':
      lines = 1;
      break;
    case 'c': case 'i': // GLOBAL, INST: module and name
      lines = 2;
      break;
    default:
      error = "unknown pickle opcode 0x" +
              std::string(1, "0123456789abcdef"[op >> 4]) +
              std::string(1, "0123456789abcdef"[op & 15]) + " at byte " +
              std::to_string(pos - 1);
      return false;
    }
    if (fixed) {
      if (size - pos < fixed)
        return tooLong(op, fixed);
      // BINPUT / LONG_BINPUT: the unpickler grows its memo table to the
      // id. Picklers number memo entries from 0, one per opcode that
      // stores one, so an id is below the opcodes read so far.
      if (op == 'q' || op == 'r') {
        uint64_t id = littleEndian(data + pos, fixed);
        if (id >= ops) {
          error = "a pickle memo id " + std::to_string(id) + " at byte " +
                  std::to_string(pos - 1) + " exceeds the " +
                  std::to_string(ops) + " opcodes before it";
          return false;
        }
      }
      pos += fixed;
    } else if (lengthOf) {
      if (size - pos < lengthOf)
        return tooLong(op, lengthOf);
      uint64_t length = littleEndian(data + pos, lengthOf);
      pos += lengthOf;
      if (length > size - pos)
        return tooLong(op, length);
      pos += length;
    }
    for (; lines > 0; --lines) {
      const void *nl = std::memchr(data + pos, '\n', size - pos);
      if (!nl) {
        error = "a pickle's text argument at byte " + std::to_string(pos) +
                " has no end of line";
        return false;
      }
      pos = static_cast<const uint8_t *>(nl) - data + 1;
    }
  }
  error = "the pickle ends without a STOP opcode";
  return false;
}

} // namespace qopt::torch_import
