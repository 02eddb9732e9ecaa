// numpy's .npz (a zip of .npy files, stored uncompressed by np.savez): enough to read the
// Bergamot bundle's shortlist.npz in the browser, the same file the server reads.

const DTYPES = {
  "<i8": BigInt64Array,
  "<i4": Int32Array,
  "<u2": Uint16Array,
  "<u4": Uint32Array,
  "<f4": Float32Array,
  "|u1": Uint8Array,
};

function parseNpy(bytes) {
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== "NUMPY") throw new Error("not a .npy array");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder("latin1").decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] || "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map(Number);
  const Type = DTYPES[descr];
  if (!Type || fortran) throw new Error(`unsupported .npy array: ${header}`);
  const start = headerStart + headerLength;
  const count = shape.reduce((a, b) => a * b, 1);
  // Copy: the data offset need not be aligned for the typed array.
  const data = new Type(bytes.slice(start, start + count * Type.BYTES_PER_ELEMENT).buffer);
  return { data, shape };
}

/** {name: {data, shape}} for every array of a stored (not deflated) .npz file. */
export function readNpz(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = bytes.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
  if (end < 0) throw new Error("not a zip file");
  const entries = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const arrays = {};
  for (let i = 0; i < entries; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("damaged zip directory");
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (method !== 0) throw new Error(`${name}: compressed .npz entries are not supported`);
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    arrays[name.replace(/\.npy$/, "")] = parseNpy(bytes.subarray(dataStart, dataStart + size));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return arrays;
}
