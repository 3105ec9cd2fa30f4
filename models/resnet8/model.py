"""ResNet-8 for 28x28x1 Fashion-MNIST: qopt's default model.

Deliberately plain (Conv/BN/ReLU/Add/GlobalAvgPool/Gemm) so every op maps to
something the quantization compiler handles; BN is kept separate in the ONNX
export so the compiler's own BN folding is exercised.
"""
import torch
from torch import nn

# Shared with train.py / check_onnx.py so the exported model and the
# evaluators agree on preprocessing.
MEAN, STD = 0.2860, 0.3530


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        # Projection shortcut only where the identity would not match shape.
        self.shortcut = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))


class ResNet8(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True))
        self.stages = nn.Sequential(
            BasicBlock(16, 16, 1),   # 28x28
            BasicBlock(16, 32, 2),   # 14x14
            BasicBlock(32, 64, 2))   # 7x7
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.pool(self.stages(self.stem(x)))
        return self.fc(torch.flatten(x, 1))


def num_params(model):
    return sum(p.numel() for p in model.parameters())


if __name__ == "__main__":
    print(f"ResNet8 parameters: {num_params(ResNet8())}")
