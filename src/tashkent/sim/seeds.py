"""Seeding: one integer seed drives everything through `numpy.random.SeedSequence`.

Randomness is keyed to fixed units, never to chunks, so results are identical for any chunk size,
worker count or executor: runs come in blocks of `BLOCK_RUNS`; block b's dynamics use the child
sequence (seed, DYNAMICS, b); each parameter's per-block draws use (seed, PARAMETERS, key(name)).
Keying parameters by name keeps random numbers common across scenario variants (`compare`).
"""

from __future__ import annotations

import zlib

import numpy as np

BLOCK_RUNS = 100  # runs per block; each block shares one parameter draw
DYNAMICS, PARAMETERS, BIASES = 0, 1, 2


def name_key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def dynamics_rng(seed: int, block: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(DYNAMICS, block))))


def keyed_uniforms(seed: int, stream: int, name: str, block_start: int, n_blocks: int) -> np.ndarray:
    """Uniforms for blocks [block_start, block_start + n_blocks) of a named stream."""
    ss = np.random.SeedSequence(seed, spawn_key=(stream, name_key(name)))
    bits = np.random.PCG64(ss)
    # A float64 uniform takes one 64-bit step, so jumping `block_start` steps gives the numbers
    # that drawing all blocks from 0 would (without the cost growing with the block index).
    bits.advance(block_start)
    return np.random.Generator(bits).random(n_blocks)
