// A stand-in for uPlot in component tests (happy-dom has no 2D canvas):
// records what it was built with and what it was told, and lets a test fire
// the hooks a real chart would (a drag selection).
//
//   vi.mock('uplot', async () => (await import('../test/uplot')).uplotModule);

import type uPlot from 'uplot';

export class FakePlot {
  static instances: FakePlot[] = [];
  opts: uPlot.Options;
  data: uPlot.AlignedData;
  target: HTMLElement | undefined;
  destroyed = false;
  sizes: { width: number; height: number }[] = [];
  scales: Record<string, { min?: number; max?: number }> = { x: {} };
  select = { left: 0, top: 0, width: 0, height: 0 };

  constructor(opts: uPlot.Options, data: uPlot.AlignedData, target?: HTMLElement) {
    this.opts = opts;
    this.data = data;
    this.target = target;
    const root = document.createElement('div');
    root.className = 'uplot';
    target?.append(root);
    FakePlot.instances.push(this);
  }

  setData(data: uPlot.AlignedData): void {
    this.data = data;
  }
  setSize(size: { width: number; height: number }): void {
    this.sizes.push(size);
  }
  setScale(key: string, s: { min?: number; max?: number }): void {
    this.scales[key] = s;
  }
  setSelect(s: { left: number; top: number; width: number; height: number }): void {
    this.select = s;
  }
  /** Pixels map 1:1 onto x values in the fake. */
  posToVal(pos: number): number {
    return pos;
  }
  destroy(): void {
    this.destroyed = true;
    this.target?.querySelector('.uplot')?.remove();
  }

  /** Fires setSelect hooks as a drag from px a to px b would. */
  drag(a: number, b: number): void {
    this.select = { left: Math.min(a, b), top: 0, width: Math.abs(b - a), height: 100 };
    for (const hook of this.opts.hooks?.setSelect ?? []) hook?.(this as unknown as uPlot);
  }

  static reset(): void {
    FakePlot.instances = [];
  }
}

export const uplotModule = { default: FakePlot };
