// Image resizing that gives the same pixels as Pillow's Image.resize for 8-bit RGB images
// (what inference/images.to_tensor does on the server), so the caption model sees the same
// input in the browser. Canvas scaling would not: browsers use other filters.
//
// Pillow resamples separably (a horizontal pass, then a vertical one, rounding to 8 bits in
// between) with the filter widened by the scale factor when shrinking (antialiasing), and
// applies its coefficients in fixed point with 22 fractional bits.

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

function bicubic(x) {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

function bilinear(x) {
  x = Math.abs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

function sinc(x) {
  if (x === 0.0) return 1.0;
  x *= Math.PI;
  return Math.sin(x) / x;
}

function lanczos(x) {
  return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
}

export const FILTERS = {
  bilinear: { support: 1.0, weight: bilinear },
  bicubic: { support: 2.0, weight: bicubic },
  lanczos: { support: 3.0, weight: lanczos },
};

/** For each output position: the first input index, how many inputs, and integer weights. */
function coefficients(inSize, outSize, filter) {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1.0);
  const support = filter.support * filterScale;
  const kernelSize = Math.ceil(support) * 2 + 1;
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const weights = new Int32Array(outSize * kernelSize);
  const raw = new Float64Array(kernelSize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const inverse = 1.0 / filterScale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let total = 0.0;
    for (let x = 0; x < xmax; x++) {
      raw[x] = filter.weight((x + xmin - center + 0.5) * inverse);
      total += raw[x];
    }
    for (let x = 0; x < xmax; x++) {
      const w = total !== 0.0 ? raw[x] / total : raw[x];
      weights[xx * kernelSize + x] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    starts[xx] = xmin;
    counts[xx] = xmax;
  }
  return { starts, counts, weights, kernelSize };
}

function clip8(sum) {
  const value = Math.floor(sum / ONE);
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

/** One pass along x (horizontal) over rows [rowStart, rowStart + rows) of an RGB image. */
function horizontal(src, width, rowStart, rows, outWidth, k) {
  const out = new Uint8Array(outWidth * rows * 3);
  for (let y = 0; y < rows; y++) {
    const row = (rowStart + y) * width * 3;
    for (let xx = 0; xx < outWidth; xx++) {
      let r = HALF;
      let g = HALF;
      let b = HALF;
      const base = xx * k.kernelSize;
      const start = k.starts[xx];
      for (let x = 0; x < k.counts[xx]; x++) {
        const w = k.weights[base + x];
        const p = row + (start + x) * 3;
        r += src[p] * w;
        g += src[p + 1] * w;
        b += src[p + 2] * w;
      }
      const o = (y * outWidth + xx) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return out;
}

/** One pass along y (vertical); k.starts are relative to the first row of `src`. */
function vertical(src, width, outHeight, k, rowOffset) {
  const out = new Uint8Array(width * outHeight * 3);
  for (let yy = 0; yy < outHeight; yy++) {
    const base = yy * k.kernelSize;
    const start = k.starts[yy] - rowOffset;
    for (let x = 0; x < width; x++) {
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let y = 0; y < k.counts[yy]; y++) {
        const w = k.weights[base + y];
        const p = ((start + y) * width + x) * 3;
        r += src[p] * w;
        g += src[p + 1] * w;
        b += src[p + 2] * w;
      }
      const o = (yy * width + x) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return out;
}

/** Resize packed RGB bytes (width x height) to outWidth x outHeight, as Pillow does. */
export function resizeRgb(rgb, width, height, outWidth, outHeight, filterName) {
  const filter = FILTERS[filterName];
  if (!filter) throw new Error(`resampling filter '${filterName}' is not supported on this device`);
  let pixels = rgb;
  let currentWidth = width;
  let rowOffset = 0;
  const needHorizontal = outWidth !== width;
  const needVertical = outHeight !== height;
  const kv = coefficients(height, outHeight, filter);
  if (needHorizontal) {
    // Only the rows the vertical pass will read.
    const first = needVertical ? kv.starts[0] : 0;
    const last = needVertical ? kv.starts[outHeight - 1] + kv.counts[outHeight - 1] : height;
    pixels = horizontal(pixels, width, first, last - first, outWidth, coefficients(width, outWidth, filter));
    currentWidth = outWidth;
    rowOffset = first;
  }
  if (needVertical) pixels = vertical(pixels, currentWidth, outHeight, kv, rowOffset);
  return pixels;
}
