// The benchmarks' deterministic random numbers: mulberry32, small, fast and reproducible, so a
// generator given the same seed writes the same file.
//   const rand = mulberry32(seed);  rand() -> [0, 1)
export function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
