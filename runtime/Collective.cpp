//===- Collective.cpp - the process's collective --------------------------===//

#include "runtime/Collective.h"

namespace qrt {

namespace {
Collective *current = nullptr;
double weight = 1.0;
} // namespace

Collective::~Collective() = default;

Collective *collective() { return current; }
void setCollective(Collective *c) { current = c; }
int worldRank() { return current ? current->rank() : 0; }
int worldSize() { return current ? current->size() : 1; }

void setGradientWeight(double w) { weight = w; }
double gradientWeight() { return weight; }

} // namespace qrt
