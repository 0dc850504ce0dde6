// The face pipeline of fer_core/faces, in the browser: find faces with YuNet, read each face's
// landmarks upright, frame it as FER2013 frames its faces, crop to 48x48 gray. Every step copies
// its Python twin's arithmetic, OpenCV's included, so that the browser and the server see the same
// 48x48 face (tests/test_browser_webcam.py compares them). The numbers (thresholds, framing) come
// from Python in `cfg` (fer_core/faces/browser.py), stated there once.
//
// Images are {data: Uint8Array (h*w), w, h}, gray. `detector(input Float32Array (n*3*ph*pw), n, ph, pw)`
// runs YuNet on n images at once (onnxruntime-web in worker.js; fer_core/faces/browser.py frees
// its batch dimension) and resolves to its twelve outputs by name, each the n images' in turn.

// OpenCV's rounding of a double to int (cvRound), and Python's round(): half to even.
export function rint(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// RGBA (a canvas's pixels) -> gray, as cv2.COLOR_RGBA2GRAY: fixed point, 14 bits.
export function toGray(rgba, w, h) {
  const out = new Uint8Array(w * h);
  for (let i = 0, j = 0; i < out.length; i++, j += 4) {
    out[i] = (rgba[j] * 4899 + rgba[j + 1] * 9617 + rgba[j + 2] * 1868 + 8192) >> 14;
  }
  return { data: out, w, h };
}

// cv2.resize(INTER_AREA) to (ow, oh), shrinking only; `scale`: src px per dst px when the caller
// gave fx (cv2.resize(None, fx=...)), else src/dst. Whole factors take OpenCV's fast path.
export function resizeArea(img, ow, oh, scaleX, scaleY) {
  const { data, w, h } = img;
  scaleX = scaleX ?? w / ow;
  scaleY = scaleY ?? h / oh;
  const out = new Uint8Array(ow * oh);
  const kx = Math.round(scaleX), ky = Math.round(scaleY);
  if (Math.abs(scaleX - kx) < 1e-12 && Math.abs(scaleY - ky) < 1e-12) {
    const area = kx * ky, inv = Math.fround(1 / area);
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        let s = 0;
        for (let dy = 0; dy < ky; dy++) {
          const row = (y * ky + dy) * w + x * kx;
          for (let dx = 0; dx < kx; dx++) s += data[row + dx];
        }
        // the 2x path adds half and shifts; the others round a float product, half to even
        out[y * ow + x] = area === 4 ? (s + 2) >> 2 : Math.min(255, rint(Math.fround(s * inv)));
      }
    }
    return { data: out, w: ow, h: oh };
  }
  const tx = areaTable(w, ow, scaleX), ty = areaTable(h, oh, scaleY);
  const sum = new Float32Array(ow);
  const buf = new Float32Array(ow);
  for (let y = 0; y < oh; y++) {
    sum.fill(0);
    for (const [sy, beta] of ty[y]) {
      buf.fill(0);
      const row = sy * w;
      for (let x = 0; x < ow; x++) {
        let b = 0;
        for (const [sx, alpha] of tx[x]) b = Math.fround(b + Math.fround(alpha * data[row + sx]));
        buf[x] = b;
      }
      for (let x = 0; x < ow; x++) sum[x] = Math.fround(sum[x] + Math.fround(beta * buf[x]));
    }
    for (let x = 0; x < ow; x++) out[y * ow + x] = Math.max(0, Math.min(255, rint(sum[x])));
  }
  return { data: out, w: ow, h: oh };
}

// OpenCV's computeResizeAreaTab: for each dst index, the src indices and their weights.
function areaTable(ssize, dsize, scale) {
  const tab = [];
  for (let d = 0; d < dsize; d++) {
    const f1 = d * scale, f2 = f1 + scale, cell = Math.min(scale, ssize - f1);
    let s2 = Math.min(Math.floor(f2), ssize - 1);
    const s1 = Math.min(Math.ceil(f1), s2);
    const t = [];
    if (s1 - f1 > 1e-3) t.push([s1 - 1, Math.fround((s1 - f1) / cell)]);
    for (let s = s1; s < s2; s++) t.push([s, Math.fround(1 / cell)]);
    if (f2 - s2 > 1e-3) t.push([s2, Math.fround(Math.min(Math.min(f2 - s2, 1), cell) / cell)]);
    tab.push(t);
  }
  return tab;
}

// cv2.getRotationMatrix2D: [a, b, c, d, e, f] for [[a, b, c], [d, e, f]].
export function rotationMatrix(cx, cy, angle, scale) {
  const t = (angle * Math.PI) / 180, a = Math.cos(t) * scale, b = Math.sin(t) * scale;
  return [a, b, (1 - a) * cx - b * cy, -b, a, b * cx + (1 - a) * cy];
}

// cv2.invertAffineTransform
export function invertAffine(m) {
  let d = m[0] * m[4] - m[1] * m[3];
  d = d !== 0 ? 1 / d : 0;
  const a11 = m[4] * d, a22 = m[0] * d, a12 = -m[1] * d, a21 = -m[3] * d;
  return [a11, a12, -a11 * m[2] - a12 * m[5], a21, a22, -a21 * m[2] - a22 * m[5]];
}

// cv2.warpAffine(img, m, (ow, oh), INTER_LINEAR, BORDER_REPLICATE), bit for bit: OpenCV maps each
// dst pixel back in fixed point (10 bits, then 1/32 px) and weighs the four neighbours in 15 bits.
export function warpAffine(img, m, ow, oh) {
  const { data, w, h } = img;
  const inv = invertAffine(m);
  const out = new Uint8Array(ow * oh);
  const ax = new Int32Array(ow), bx = new Int32Array(ow);
  for (let x = 0; x < ow; x++) {
    ax[x] = rint(inv[0] * x * 1024);
    bx[x] = rint(inv[3] * x * 1024);
  }
  const cx = (v, lim) => (v < 0 ? 0 : v > lim ? lim : v);
  for (let y = 0; y < oh; y++) {
    const x0 = rint((inv[1] * y + inv[2]) * 1024) + 16, y0 = rint((inv[4] * y + inv[5]) * 1024) + 16;
    for (let x = 0; x < ow; x++) {
      const X = (x0 + ax[x]) >> 5, Y = (y0 + bx[x]) >> 5;
      const ix = X >> 5, fx = X & 31, iy = Y >> 5, fy = Y & 31;
      const xa = cx(ix, w - 1), xb = cx(ix + 1, w - 1), ya = cx(iy, h - 1) * w, yb = cx(iy + 1, h - 1) * w;
      const v = (data[ya + xa] * (32 - fx) * (32 - fy) + data[ya + xb] * fx * (32 - fy) + data[yb + xa] * (32 - fx) * fy + data[yb + xb] * fx * fy) * 32;
      out[y * ow + x] = (v + 16384) >> 15;
    }
  }
  return { data: out, w: ow, h: oh };
}

// YuNet's input for images of one size: each gray image as three equal channels (BGR), padded
// right and below to a multiple of 32.
function detectorInput(imgs) {
  const { w, h } = imgs[0];
  const pw = Math.floor((w - 1) / 32 + 1) * 32, ph = Math.floor((h - 1) / 32 + 1) * 32;
  const plane = pw * ph, input = new Float32Array(imgs.length * 3 * plane);
  imgs.forEach((img, i) => {
    const o = i * 3 * plane;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = img.data[y * w + x], k = o + y * pw + x;
        input[k] = v;
        input[plane + k] = v;
        input[2 * plane + k] = v;
      }
    }
  });
  return { input, pw, ph };
}

// YuNet on images of one size at once: each image's rows, in its own pixels.
async function searchMany(detector, imgs, scoreThreshold, nmsThreshold) {
  const { input, pw, ph } = detectorInput(imgs);
  const n = imgs.length, out = await detector(input, n, ph, pw);
  return imgs.map((_, i) => {
    const own = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.subarray((i * v.length) / n, ((i + 1) * v.length) / n)]));
    return decode(own, pw, ph, scoreThreshold, nmsThreshold).filter((r) => r.every(Number.isFinite));
  });
}

// OpenCV's FaceDetectorYN post-processing: rows [x, y, w, h, 10 landmark coordinates, score].
export function decode(out, pw, ph, scoreThreshold, nmsThreshold, topK = 5000) {
  const rows = [];
  for (const s of [8, 16, 32]) {
    const cols = Math.floor(pw / s), nrows = Math.floor(ph / s);
    const cls = out[`cls_${s}`], obj = out[`obj_${s}`], bbox = out[`bbox_${s}`], kps = out[`kps_${s}`];
    for (let r = 0; r < nrows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        const clsScore = Math.min(Math.max(cls[i], 0), 1), objScore = Math.min(Math.max(obj[i], 0), 1);
        const score = Math.fround(Math.sqrt(Math.fround(clsScore * objScore)));
        if (score < scoreThreshold) continue;
        const cx = (c + bbox[i * 4]) * s, cy = (r + bbox[i * 4 + 1]) * s;
        const bw = Math.exp(bbox[i * 4 + 2]) * s, bh = Math.exp(bbox[i * 4 + 3]) * s;
        const row = [cx - bw / 2, cy - bh / 2, bw, bh];
        for (let n = 0; n < 5; n++) row.push((kps[i * 10 + 2 * n] + c) * s, (kps[i * 10 + 2 * n + 1] + r) * s);
        row.push(score);
        rows.push(row.map(Math.fround));
      }
    }
  }
  if (rows.length <= 1) return rows;
  // cv::dnn::NMSBoxes over the boxes truncated to int, surest first
  const boxes = rows.map((r) => r.slice(0, 4).map(Math.trunc));
  const order = rows.map((_, i) => i).sort((a, b) => rows[b][14] - rows[a][14]);
  const keep = [];
  for (const i of order) {
    if (keep.length >= topK) break;
    if (keep.every((k) => iou(boxes[i], boxes[k]) <= nmsThreshold)) keep.push(i);
  }
  return keep.map((i) => rows[i]);
}

function iou(a, b) {
  const iw = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

// detect.search: YuNet on a copy at most `width` wide; rows in `img`'s pixels.
export async function search(detector, img, width, scoreThreshold, cfg) {
  const scale = Math.min(1, width / img.w);
  const small = scale < 1 ? resizeArea(img, rint(img.w * scale), rint(img.h * scale)) : img;
  const [rows] = await searchMany(detector, [small], scoreThreshold, cfg.nms_threshold);
  return rows.map((r) => r.map((v, i) => (i < 14 ? Math.fround(v / scale) : v)));
}

// detect.find_faces for a webcam frame (one pass at cfg.live_width): the kept faces, largest first.
export async function findFaces(detector, img, cfg) {
  const rows = await search(detector, img, cfg.live_width, cfg.score_threshold, cfg);
  const kept = [];
  for (const r of [...rows].sort((a, b) => b[14] - a[14])) {  // surest first (a stable sort, as Python's)
    if (Math.min(r[2], r[3]) >= cfg.min_face && kept.every((k) => iou(r, k) <= cfg.nms_threshold)) kept.push(r);
  }
  const found = kept.map((r) => ({
    box: r.slice(0, 4).map(rint),
    landmarks: r.slice(4, 14),
    score: r[14],
  }));
  found.sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3] || a.box[0] - b.box[0] || a.box[1] - b.box[1]);
  return found.slice(0, cfg.max_faces);
}

// align._turned, for many (face, turn) pairs in one detector run: for each, [score, landmarks in
// the image's pixels] of the face searched in its patch turned by `turn`, or null.
async function turnedMany(detector, img, pairs, size, cfg) {
  if (!pairs.length) return [];
  const maps = pairs.map(([found, turn]) => {
    const [x, y, w, h] = found.box;
    const cx = x + w / 2, cy = y + h / 2;
    const m = rotationMatrix(cx, cy, turn, size / (1.8 * Math.max(w, h))); // the face about half the patch
    m[2] += size / 2 - cx;
    m[5] += size / 2 - cy;
    return m;
  });
  const found = await searchMany(detector, maps.map((m) => warpAffine(img, m, size, size)), cfg.patch_score, cfg.nms_threshold);
  return found.map((rows, i) => {
    if (!rows.length) return null;
    const best = rows.reduce((a, b) => (b[14] > a[14] ? b : a));
    const back = invertAffine(maps[i]);
    const lm = [];
    for (let n = 0; n < 5; n++) {
      const px = best[4 + 2 * n], py = best[5 + 2 * n];
      lm.push(Math.fround(px * back[0] + py * back[1] + back[2]), Math.fround(px * back[3] + py * back[4] + back[5]));
    }
    return [best[14], lm];
  });
}

// align.upright for every face of a frame: the landmarks read where the face's patch, turned,
// scores highest; all faces' coarse turns in one run, then all their fine turns in another.
export async function uprightAll(detector, img, founds, cfg) {
  const size = cfg.live_patch, tries = founds.map(() => new Map());
  const best = (t) => [...t.keys()].reduce((a, b) => (t.get(b)[0] > t.get(a)[0] ? b : a));
  const coarse = founds.flatMap((f, i) => cfg.turns.map((t) => [f, t, i]));
  (await turnedMany(detector, img, coarse, size, cfg)).forEach((r, k) => r && tries[coarse[k][2]].set(coarse[k][1], r));
  const fine = founds.flatMap((f, i) => (tries[i].size ? [-cfg.fine, cfg.fine].map((d) => [f, best(tries[i]) + d, i]) : []));
  (await turnedMany(detector, img, fine, size, cfg)).forEach((r, k) => r && tries[fine[k][2]].set(fine[k][1], r));
  return founds.map((f, i) => (tries[i].size ? { ...f, landmarks: tries[i].get(best(tries[i]))[1] } : f));
}

// align.framing: the affine map (image -> 48x48) that levels the eyes and frames as FER2013 does.
export function framing(found, cfg) {
  const f = Math.fround, L = found.landmarks;
  const eyes = [f((L[0] + L[2]) / 2), f((L[1] + L[3]) / 2)];
  const mouth = [f((L[6] + L[8]) / 2), f((L[7] + L[9]) / 2)];
  const dx = f(L[2] - L[0]), dy = f(L[3] - L[1]);
  const angle = f((Math.atan2(dy, dx) * 180) / Math.PI);
  const side = f((cfg.image_size * (f(Math.hypot(dx, dy)) / cfg.eye_distance + f(Math.hypot(mouth[0] - eyes[0], mouth[1] - eyes[1])) / cfg.eye_to_mouth)) / 2);
  const centre = [f((eyes[0] + mouth[0]) / 2), f((eyes[1] + mouth[1]) / 2)];
  const m = rotationMatrix(centre[0], centre[1], angle, f(cfg.image_size / side));
  m[2] += cfg.face_centre[0] - centre[0];
  m[5] += cfg.face_centre[1] - centre[1];
  return { matrix: m.map(f), side, angle };
}

// align.aligned_crop: the aligned square (up to cfg.crop_max px) and the 48x48 face.
export function alignedCrop(img, frame, cfg) {
  const n = cfg.image_size;
  const side = Math.min(Math.max(rint(frame.side), n), cfg.crop_max);
  let m = frame.matrix.map((v) => Math.fround(v * Math.fround(side / n)));
  const shrink = side / frame.side;
  if (shrink < 0.5) {
    // a warp samples, it does not average: shrink a large face by area first
    img = resizeArea(img, rint(img.w * shrink), rint(img.h * shrink), 1 / shrink, 1 / shrink);
    const k = Math.fround(1 / shrink);
    m = [m[0] * k, m[1] * k, m[2], m[3] * k, m[4] * k, m[5]].map(Math.fround);
  }
  const crop = warpAffine(img, m, side, side);
  return { crop, face48: side !== n ? resizeArea(crop, n, n) : crop };
}

// pipeline.detect_faces(live=True): each face found, upright, framed and cropped.
export async function detectFaces(detector, img, cfg) {
  const t0 = performance.now();
  const found = await findFaces(detector, img, cfg);
  const t1 = performance.now();
  const faces = (await uprightAll(detector, img, found, cfg)).map((up) => {
    const frame = framing(up, cfg);
    return { box: up.box, score: up.score, landmarks: up.landmarks, frame, ...alignedCrop(img, frame, cfg) };
  });
  return { faces, ms: { detect: t1 - t0, align: performance.now() - t1 } };
}
