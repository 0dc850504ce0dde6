// The Webcam page's live view, all on the student's machine: the camera (getUserMedia), workers
// that find, align and label the faces of each frame (worker.js), and the drawing of boxes, labels,
// the class activation map, the steady emotion and "what the model sees". Nothing is sent to the
// server but a face the student chooses to explain.
const views = new WeakMap(); // parentElement -> the view mounted there

export function mount(component, base) {
  let view = views.get(component.parentElement);
  if (!view) {
    view = new View(component, base);
    views.set(component.parentElement, view);
  }
  view.update(component.data);
  return () => {
    view.stop();
    views.delete(component.parentElement);
  };
}

const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : 0);
const BOX = "rgb(46, 158, 68)";

class View {
  constructor(component, base) {
    this.component = component;
    this.base = base;
    const root = component.parentElement;
    root.querySelector(".wc")?.remove();
    const el = document.createElement("div");
    el.className = "wc";
    el.innerHTML = `
      <div class="stage"><video playsinline muted></video><canvas class="overlay"></canvas>
        <div class="idle">The camera is off.</div></div>
      <div class="panel">
        <button class="start" type="button">Start the camera</button>
        <div class="status" role="status"></div>
        <div class="stats" data-path="browser"></div>
        <div class="count"></div>
        <div class="steady"></div>
        <div class="sees" hidden><div class="caption">What the model sees (largest face): the aligned 48x48 face</div>
          <canvas class="face" width="48" height="48"></canvas><div class="answer"></div>
          <button class="explain" type="button">Explain this face</button></div>
      </div>`;
    root.appendChild(el);
    this.el = el;
    this.q = (s) => el.querySelector(s);
    this.video = this.q("video");
    this.overlay = this.q("canvas.overlay");
    this.q(".start").onclick = () => (this.stream ? this.stop() : this.start());
    this.q(".explain").onclick = () => {
      if (this.shown?.faces.length) component.setTriggerValue("explain", Array.from(this.shown.faces[0].face48));
    };
    this.workers = [];
    this.results = [];
    this.history = [];
  }

  update(data) {
    const modelChanged = this.data && this.data.model !== data.model;
    this.data = data;
    if (modelChanged && this.workers.length) {
      this.say(`Loading ${data.model_name}...`);
      this.bytes(data.model)
        .then((model) => this.workers.forEach((w) => this.post(w, { type: "model", model })))
        .catch((err) => this.say(`${data.model_name} could not be loaded: ${err.message}`, true));
      this.history = [];
    }
  }

  say(text, error = false) {
    const s = this.q(".status");
    s.textContent = text;
    s.classList.toggle("error", error);
  }

  async bytes(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
    return new Uint8Array(await r.arrayBuffer());
  }

  post(worker, msg, transfer = []) {
    worker.busy = true;
    worker.postMessage(msg, transfer);
  }

  async start() {
    const d = this.data;
    this.q(".start").disabled = true;
    try {
      this.say("Starting the camera...");
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
    } catch (err) {
      this.q(".start").disabled = false;
      this.stream = null;
      return this.say(`No camera: ${err.name === "NotAllowedError" ? "the browser was not allowed to use it. Allow the camera from the address bar, then press Start again." : err.message}`, true);
    }
    this.video.srcObject = this.stream;
    await this.video.play();
    this.q(".idle").hidden = true;
    try {
      this.say(`Loading the face detector and ${d.model_name} into this browser...`);
      // each file is fetched once here and copied to the workers
      const [wasm, detector, model] = await Promise.all([this.bytes(d.base + "ort/ort-wasm-simd-threaded.wasm"), this.bytes(d.detector), this.bytes(d.model)]);
      // Frames in flight at once, each on its own worker: on 2 cores 1 worker ran 10.0 frames/s, 2 ran 19.6 and
      // 3 ran 21.0 (docs/RESULTS.md, before the workers took frames at once); where there are more cores,
      // one stays for the page, the video and the camera.
      const n = Math.min(4, Math.max(2, (navigator.hardwareConcurrency || 2) - 1));
      this.workers = await Promise.all([...Array(n)].map(() => this.worker({ type: "init", base: d.base, wasm: wasm.buffer, detector, model, cfg: d.cfg })));
    } catch (err) {
      this.stop();
      return this.say(`The in-browser model could not start: ${err.message}`, true);
    }
    this.say("");
    this.q(".start").textContent = "Stop the camera";
    this.q(".start").disabled = false;
    this.results = [];
    this.sent = 0;
    this.arrived = 0; // camera frames seen
    this.taken = 0; // the last of them sent to a worker
    this.next();
  }

  worker(init) {
    return new Promise((resolve, reject) => {
      const w = new Worker(this.base + "webcam/worker.js", { type: "module" });
      w.onmessage = (e) => {
        const m = e.data;
        if (m.type === "ready" && !w.started) {
          w.started = true;
          w.busy = false;
          resolve(w);
        } else if (m.type === "ready") {
          w.busy = false;
          this.say("");
        } else if (m.type === "result") {
          w.busy = false;
          this.show(m);
          this.dispatch();
        } else if (m.type === "error") {
          w.busy = false;
          if (!w.started) reject(new Error(m.message));
          else this.say(`A frame failed: ${m.message}`, true);
        }
      };
      w.onerror = (e) => reject(new Error(e.message || "the worker did not load"));
      this.post(w, init);
    });
  }

  // Each new camera frame goes to an idle worker. A worker that comes free takes the newest frame
  // at once if one arrived while all were busy, rather than waiting for the next: with two faces
  // at 30 frames/s there is always one, and no worker idles (frames none could take are skipped).
  next() {
    if (!this.stream) return;
    const arrived = () => {
      this.arrived += 1;
      this.dispatch();
      this.next();
    };
    if (this.video.requestVideoFrameCallback) this.video.requestVideoFrameCallback(arrived);
    else requestAnimationFrame(arrived);
  }

  dispatch() {
    const idle = this.workers.find((w) => !w.busy);
    if (!idle || !this.stream || !this.video.videoWidth || this.arrived === this.taken) return;
    this.taken = this.arrived;
    idle.busy = true;
    createImageBitmap(this.video).then(
      (bitmap) => this.post(idle, { type: "frame", id: ++this.sent, bitmap }, [bitmap]),
      () => (idle.busy = false),
    );
  }

  stop() {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.workers.forEach((w) => w.terminate());
    this.workers = [];
    this.video.srcObject = null;
    this.q(".idle").hidden = false;
    this.q(".start").textContent = "Start the camera";
    this.q(".start").disabled = false;
    this.overlay.getContext("2d").clearRect(0, 0, this.overlay.width, this.overlay.height);
  }

  show(r) {
    const now = performance.now();
    this.results.push({ at: now, ms: r.ms });
    this.results = this.results.filter((x) => now - x.at < 3000);
    if (this.shown && r.id < this.shown.id) return; // a later frame is already drawn
    this.shown = r;
    if (r.faces.length) {
      this.history.push(r.faces[0].probs);
      this.history = this.history.slice(-this.data.smoothing);
    }
    this.draw(r);
    // the panel (numbers, bars, the 48x48 face) a few times a second: the eye cannot follow more,
    // and the page's thread is the cores' third user, beside the two workers
    if (now - (this.panelAt || 0) > 200) {
      this.panelAt = now;
      this.panel(r);
    }
  }

  label(probs) {
    const k = probs.indexOf(Math.max(...probs));
    return [k, `${this.data.classes[k]} ${Math.round(100 * probs[k])}%`];
  }

  draw(r) {
    const c = this.overlay;
    if (c.width !== r.width || c.height !== r.height) [c.width, c.height] = [r.width, r.height];
    const g = c.getContext("2d");
    g.clearRect(0, 0, c.width, c.height);
    for (const f of r.faces) {
      if (this.data.cam && f.cam) drawCam(g, f, this.data.cfg.image_size);
      const [x, y, w, h] = f.box;
      g.lineWidth = 3;
      g.strokeStyle = BOX;
      g.strokeRect(x, y, w, h);
      const text = this.label(f.probs)[1];
      g.font = "bold 18px sans-serif";
      g.fillStyle = BOX;
      g.fillRect(x, Math.max(0, y - 26), g.measureText(text).width + 12, 26);
      g.fillStyle = "white";
      g.fillText(text, x + 6, Math.max(0, y - 26) + 19);
    }
  }

  panel(r) {
    const rs = this.results, ms = (k) => median(rs.map((x) => x.ms[k]));
    const span = rs.length > 1 ? (rs[rs.length - 1].at - rs[0].at) / 1000 : 0;
    const fps = span ? (rs.length - 1) / span : 0;
    const s = this.q(".stats");
    Object.assign(s.dataset, { frames: String(r.id), fps: fps.toFixed(1), read: ms("read").toFixed(1), detect: ms("detect").toFixed(1), align: ms("align").toFixed(1), model: ms("model").toFixed(1), total: ms("total").toFixed(1) });
    s.dataset.labels = JSON.stringify(r.faces.map((f) => this.label(f.probs)[1]));
    s.textContent = `${r.id} frames · ${ms("total").toFixed(0)} ms per frame (detector ${ms("detect").toFixed(0)}, alignment ${ms("align").toFixed(0)}, model ${ms("model").toFixed(0)}) · ${fps.toFixed(1)} frames/s, in this browser with ${this.workers.length} worker${this.workers.length > 1 ? "s" : ""}`;
    const n = r.faces.length;
    this.q(".count").innerHTML = n ? `<b>Detected ${n} face${n > 1 ? "s" : ""}</b>` : `<span class="warn">No face in view. Face the camera, with light on your face; very small or turned faces are missed.</span>`;
    this.q(".sees").hidden = !n;
    if (!n) return;
    if (this.data.cam && !r.faces[0].cam) {
      this.say(`${this.data.model_name} has no live map: an exact one needs a network that ends in global average pooling.`);
    }
    const mean = this.history[0].map((_, k) => this.history.reduce((a, p) => a + p[k], 0) / this.history.length);
    const [k] = this.label(mean);
    this.q(".steady").innerHTML =
      `<div class="emotion">Steady emotion: ${this.data.classes[k]} (${Math.round(100 * mean[k])}%)</div>` +
      mean.map((p, i) => `<div class="bar${i === k ? " top" : ""}"><span>${this.data.classes[i]}</span><i style="width:${(100 * p).toFixed(1)}%"></i><b>${Math.round(100 * p)}%</b></div>`).join("");
    const face = this.q("canvas.face"), g = face.getContext("2d"), img = g.createImageData(48, 48);
    r.faces[0].face48.forEach((v, i) => img.data.set([v, v, v, 255], 4 * i));
    g.putImageData(img, 0, 0);
    this.q(".answer").textContent = `48x48 input -> ${this.label(r.faces[0].probs)[1]}`;
  }
}

// The class activation map (48x48, [0, 1], in the aligned face's square) drawn over the face where
// it lies in the frame: through the inverse of the framing's affine map.
let tile; // one n x n canvas for every face's map

function drawCam(g, f, n) {
  if (!tile || tile.width !== n) tile = new OffscreenCanvas(n, n);
  const t = tile.getContext("2d"), img = t.createImageData(n, n);
  f.cam.forEach((v, i) => {
    // blue (cold) -> red (hot); clear where the model did not look
    const h = (1 - v) * 240, rgb = hsl(h / 360, 1, 0.5);
    img.data.set([rgb[0], rgb[1], rgb[2], Math.round(170 * v)], 4 * i);
  });
  t.putImageData(img, 0, 0);
  const [a, b, c, d, e, ff] = f.matrix; // image -> face: [[a, b, c], [d, e, ff]]
  const det = a * e - b * d; // invert it: face -> image
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  g.save();
  g.setTransform(ia, id, ib, ie, -(ia * c + ib * ff), -(id * c + ie * ff));
  g.imageSmoothingEnabled = true;
  g.drawImage(tile, 0, 0);
  g.restore();
}

function hsl(h, s, l) {
  const k = (n) => (n + h * 12) % 12, a = s * Math.min(l, 1 - l);
  const f = (n) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [f(0), f(8), f(4)].map((v) => Math.round(255 * v));
}
