"""Runs the PyTorch peer's training step (../shared/bench/torch_peer.py) a few steps at a time on request,
so that `tailor bench training` can let the peer and Tailor's steps take turns within seconds of each other.

Usage: python3 torch_peer_steps.py PEER_SCRIPT THREADS. The network is the peer script's own `largest()`;
the step repeats the one in its main(): SGD (lr 0.1, Nesterov momentum 0.9, weight decay 3e-5), cross
entropy with label smoothing 0.1, one fixed random batch of 128 at 28x28, gradients set to None each step.
After 3 warm-up steps it prints one line, "ready torch VERSION, N threads, params P", then for each line
read that holds a count n it runs n steps and prints the seconds they took; an empty line or end of input
ends it.
"""
import importlib.util
import sys
import time

import torch
import torch.nn.functional as F


def main():
    spec = importlib.util.spec_from_file_location("torch_peer", sys.argv[1])
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    threads = int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = peer.largest()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=3e-5)
    x, y = torch.randn(128, 1, 28, 28), torch.randint(0, 10, (128,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y, label_smoothing=0.1)
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    params = sum(p.numel() for p in net.parameters())
    print("ready torch %s, %d threads, params %d" % (torch.__version__, threads, params), flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        n = int(line)
        started = time.perf_counter()
        for _ in range(n):
            step()
        print("%.9f" % (time.perf_counter() - started), flush=True)


if __name__ == "__main__":
    main()
