// One webcam worker: a frame in (an ImageBitmap), every face out, labelled, with the time each step
// took. It runs the whole pipeline (faces.js, then the CNN) off the page's thread, on its own copy
// of onnxruntime-web; webcam.js keeps one per core busy, each on its own frame.
import * as F from "./faces.js";

let ort, detector, classifier, cfg, canvas;

// `model`: the ONNX file's bytes (fetched once by the page for all workers)
async function session(model) {
  return ort.InferenceSession.create(model, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
}

async function init(msg) {
  ort = await import(msg.base + "ort/ort.wasm.min.mjs");
  ort.env.wasm.wasmPaths = msg.base + "ort/";
  ort.env.wasm.numThreads = 1; // one thread each: the page is not cross-origin isolated, and the workers share the cores
  ort.env.wasm.wasmBinary = msg.wasm; // the runtime's bytes, fetched once by the page
  cfg = msg.cfg;
  // one detector session per input shape (batch, height, width), each fixed: 25-35% faster a run
  // than one session of free shape (the frame at 320x256, then the faces' 64x64 patches)
  const shapes = new Map();
  detector = async (input, n, ph, pw) => {
    const key = `${n}x${ph}x${pw}`;
    if (!shapes.has(key)) {
      const fixed = { batch: n, height: ph, width: pw };
      shapes.set(key, await ort.InferenceSession.create(msg.detector, { executionProviders: ["wasm"], freeDimensionOverrides: fixed }));
    }
    const out = await shapes.get(key).run({ input: new ort.Tensor("float32", input, [n, 3, ph, pw]) });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data]));
  };
  classifier = await session(msg.model);
}

async function frame(msg) {
  const t0 = performance.now();
  const { width: w, height: h } = msg.bitmap;
  if (!canvas || canvas.width !== w || canvas.height !== h) canvas = new OffscreenCanvas(w, h);
  const g = canvas.getContext("2d", { willReadFrequently: true });
  g.drawImage(msg.bitmap, 0, 0);
  msg.bitmap.close();
  const gray = F.toGray(g.getImageData(0, 0, w, h).data, w, h);
  const t1 = performance.now();
  const { faces, ms } = await F.detectFaces(detector, gray, cfg);
  const t2 = performance.now();
  let probs = null, cams = null;
  if (faces.length) {
    const n = cfg.image_size, batch = new Uint8Array(faces.length * n * n);
    faces.forEach((f, i) => batch.set(f.face48.data, i * n * n));
    const out = await classifier.run({ faces: new ort.Tensor("uint8", batch, [faces.length, n, n]) });
    probs = out.probs.data;
    cams = out.cam ? out.cam.data : null;
  }
  const t3 = performance.now();
  const k = probs ? probs.length / faces.length : 0, nn = cfg.image_size * cfg.image_size;
  return {
    id: msg.id,
    width: w,
    height: h,
    faces: faces.map((f, i) => ({
      box: f.box,
      matrix: f.frame.matrix,
      probs: Array.from(probs.subarray(i * k, (i + 1) * k)),
      cam: cams ? cams.slice(i * nn, (i + 1) * nn) : null,
      face48: f.face48.data,
    })),
    ms: { read: t1 - t0, detect: ms.detect, align: ms.align, model: t3 - t2, total: t3 - t0 },
  };
}

let queue = Promise.resolve();
self.onmessage = (e) => {
  const msg = e.data;
  // one message at a time, in order: a new model waits for the frame in hand
  queue = queue.then(async () => {
    try {
      if (msg.type === "init") {
        await init(msg);
        self.postMessage({ type: "ready" });
      } else if (msg.type === "model") {
        classifier = await session(msg.model);
        self.postMessage({ type: "ready" });
      } else if (msg.type === "frame") {
        self.postMessage({ type: "result", ...(await frame(msg)) });
      }
    } catch (err) {
      if (msg.bitmap) msg.bitmap.close();
      self.postMessage({ type: "error", id: msg.id, message: String(err && err.message ? err.message : err) });
    }
  });
};
