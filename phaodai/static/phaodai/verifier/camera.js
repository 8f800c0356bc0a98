/* The camera of the offline pages (the checkpoint verifier, the market gate): video frames read with
 * the vendored jsQR until a QR code is found, then `onCode(text)`. One button starts and stops it. */

export function cameraScanner({ button, video, canvas, note, strings, onCode }) {
  let stream = null;

  function stop() {
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = null;
    video.hidden = true;
    button.textContent = strings.camera_start;
  }

  function scanFrame() {
    if (!stream) return;
    if (video.readyState >= 2 && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (found?.data) {
        stop();
        onCode(found.data);
        return;
      }
    }
    requestAnimationFrame(scanFrame);
  }

  async function toggle() {
    if (stream) {
      stop();
      return;
    }
    if (!navigator.mediaDevices?.getUserMedia || typeof window.jsQR !== "function") {
      note.textContent = strings.camera_unavailable;
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch {
      note.textContent = strings.camera_unavailable;
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    button.textContent = strings.camera_stop;
    requestAnimationFrame(scanFrame);
  }

  return { toggle, stop };
}
