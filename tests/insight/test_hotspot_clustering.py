"""The hot spots' text clustering: SciPy's hierarchical clustering gives exactly the groups
of the plain "join the two most similar groups while they are alike enough" procedure."""

from __future__ import annotations

import numpy as np
import pytest

from minsheng.insight import hotspots as hs


def join_while_alike(similarity: np.ndarray, threshold: float, linkage: str) -> list[list[int]]:
    """The definition, step by step (cubic time: only for small inputs)."""
    groups = [[i] for i in range(len(similarity))]
    sim = similarity.astype(float).copy()
    np.fill_diagonal(sim, -np.inf)
    alive = np.ones(len(groups), dtype=bool)
    while alive.sum() > 1:
        masked = np.where(np.outer(alive, alive), sim, -np.inf)
        a, b = np.unravel_index(np.argmax(masked), masked.shape)
        if masked[a, b] < threshold:
            break
        size_a, size_b = len(groups[a]), len(groups[b])
        if linkage == "single":
            sim[a, :] = np.maximum(sim[a, :], sim[b, :])
        else:
            sim[a, :] = (size_a * sim[a, :] + size_b * sim[b, :]) / (size_a + size_b)
        sim[:, a] = sim[a, :]
        sim[a, a] = -np.inf
        groups[a] += groups[b]
        alive[b] = False
    return sorted(sorted(groups[i]) for i in range(len(groups)) if alive[i])


@pytest.mark.parametrize("linkage", ["average", "single"])
@pytest.mark.parametrize("seed", range(12))
def test_clustering_matches_the_definition(seed, linkage):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    # Texts about a few problems: alike within a problem, unlike across, with noise.
    topics = rng.integers(0, 4, size=n)
    points = rng.normal(size=(4, 16))[topics] + rng.normal(scale=0.8, size=(n, 16))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    similarity = points @ points.T
    threshold = float(rng.uniform(0.05, 0.6))
    assert sorted(hs.link_groups(similarity, threshold, linkage)) == join_while_alike(
        similarity, threshold, linkage
    )


def test_a_thousand_reports_split_by_wording_quickly():
    water = [f"东湖镇{i}号楼停水了，水管爆裂，全楼没有水" for i in range(500)]
    roads = [f"村口道路第{i}段坑洼不平，下雨积水车辆难行" for i in range(500)]
    matrix, _vocabulary = hs.tfidf(water + roads)
    groups = hs.link_groups((matrix @ matrix.T).toarray(), hs.TEXT_SIMILARITY)
    assert sorted(len(g) for g in groups) == [500, 500]
    assert sorted(groups[0] + groups[1]) == list(range(1000))
