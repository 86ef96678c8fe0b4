import { describe, expect, it } from 'vitest';
import { countValues, groupByCluster, SPARK_MIN_TOP, sparkKey, sparkSegments } from './sparkline';

describe('groupByCluster', () => {
  it('groups IDs per cluster, each once, in order', () => {
    const groups = groupByCluster([
      { cluster: 'a', id: 'qemu/101' },
      { cluster: 'b', id: 'qemu/101' },
      { cluster: 'a', id: 'lxc/200' },
      { cluster: 'a', id: 'qemu/101' },
    ]);
    expect([...groups]).toEqual([
      ['a', ['qemu/101', 'lxc/200']],
      ['b', ['qemu/101']],
    ]);
    expect(sparkKey({ cluster: 'a', id: 'lxc/200' })).toBe('a/lxc/200');
  });
});

describe('sparkSegments', () => {
  it('splits the line at gaps, never bridging them', () => {
    const segs = sparkSegments([0.5, 1, null, 0.5, null, 0], 50, 10);
    expect(segs).toEqual([
      [
        [0, 5],
        [10, 0],
      ],
      [[30, 5]],
      [[50, 10]],
    ]);
  });

  it('keeps idle noise low with a minimum top', () => {
    const [seg] = sparkSegments([0, SPARK_MIN_TOP / 2], 10, 10);
    expect(seg[1][1]).toBe(5);
  });

  it('draws nothing without values or room', () => {
    expect(sparkSegments([], 48, 16)).toEqual([]);
    expect(sparkSegments([null, null], 48, 16)).toEqual([]);
    expect(sparkSegments([0.1], 0, 16)).toEqual([]);
  });

  it('counts known values', () => {
    expect(countValues([0, null, 0.3, Number.NaN])).toBe(2);
  });
});
