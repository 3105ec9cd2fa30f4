//===- CppParams.h - plan step parameters as C++ initializers ---*- C++ -*-===//
//
// The emitter prints each step's parameters (runtime/Exec.h) as a C++20
// designated initializer, e.g. `{.conv = {.padTop = 1, ...}, ...}`; fields
// equal to their default are left out. Floats are printed as hexadecimal
// literals, so the emitted program holds the plan's exact bits.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_CPPPARAMS_H
#define QOPT_CODEGEN_CPPPARAMS_H

#include "runtime/Exec.h"

#include <string>

namespace qopt {

/// The C++ type of `step`'s parameters ("qrt::exec::ConvF32").
std::string cppParamsType(const qrt::exec::Step &step);
/// `step`'s parameters as an initializer of that type.
std::string cppParamsInitializer(const qrt::exec::Step &step);
/// `d` as C++ (`qrt::DType::F32`).
std::string cppDType(qrt::DType d);
/// `{1, -1, 28, 28}`.
std::string cppIntList(const std::vector<int64_t> &values);
/// A C++ string literal holding `s`.
std::string cppStringLiteral(const std::string &s);

} // namespace qopt

#endif // QOPT_CODEGEN_CPPPARAMS_H
