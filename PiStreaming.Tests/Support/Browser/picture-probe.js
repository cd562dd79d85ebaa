// Reads the frame stamp (PiStreaming/Sources/FrameStamp.cs) of every picture the page draws.
// Added with addInitScript, so it is in place before the page's own script; it listens to the
// page's 'videopicture' event, which fires right after jsmpg.js drew a picture, while the canvas
// (2D or WebGL) still holds it.
(function () {
  'use strict';
  var BLOCK = 16, BITS = 48, WRAP = 1 << 24;

  var probe = window.pictureProbe = {
    pictures: [], // { frame, producedMs, drawnMs }, one per drawn picture with a readable stamp
    unreadable: 0, // drawn pictures whose stamp failed its CRC (or had no room for one)
    firstPictureMs: null, // performance.now() at the first picture: milliseconds since navigation started
    renderer: null, // 'webgl' or '2d', as jsmpg.js chose
    captures: [],

    take: function () {
      var taken = this.pictures;
      this.pictures = [];
      return taken;
    },

    // The next drawn picture in full: its stamp and its luma sampled every `step` pixels.
    captureNext: function (step, timeoutMs) {
      return new Promise(function (resolve, reject) {
        var request = { step: step, resolve: resolve };
        probe.captures.push(request);
        setTimeout(function () {
          var index = probe.captures.indexOf(request);
          if (index >= 0) {
            probe.captures.splice(index, 1);
            reject(new Error('no picture drawn within ' + timeoutMs + ' ms'));
          }
        }, timeoutMs);
      });
    }
  };

  var scratch = document.createElement('canvas');
  var context = scratch.getContext('2d', { willReadFrequently: true });

  function layout(width, height) {
    var perRow = Math.floor(width / BLOCK);
    var rows = perRow > 0 ? Math.ceil(BITS / perRow) : 0;
    var fits = perRow > 0 && rows * BLOCK <= Math.floor(height / 2);
    return { perRow: perRow, rows: rows, top: (Math.floor(height / BLOCK) - rows) * BLOCK, fits: fits };
  }

  function luma(data, index) {
    return 0.299 * data[index] + 0.587 * data[index + 1] + 0.114 * data[index + 2];
  }

  function crc8(bytes) {
    var crc = 0;
    for (var i = 0; i < bytes.length; i++) {
      crc ^= bytes[i];
      for (var bit = 0; bit < 8; bit++) {
        crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
      }
    }
    return crc;
  }

  // pixels: RGBA of the stamp band (width x rows*16). Returns { frame, time24 } or null.
  function readStamp(pixels, width, at) {
    var bytes = [0, 0, 0, 0, 0, 0];
    for (var bit = 0; bit < BITS; bit++) {
      var x = (bit % at.perRow) * BLOCK, y = Math.floor(bit / at.perRow) * BLOCK;
      var sum = 0; // the block's centre 4x4, away from the edges where the codec rings
      for (var dy = 6; dy < 10; dy++) {
        for (var dx = 6; dx < 10; dx++) {
          sum += luma(pixels, ((y + dy) * width + x + dx) * 4);
        }
      }
      if (sum / 16 > 128) {
        bytes[bit >> 3] |= 0x80 >> (bit & 7);
      }
    }
    if (crc8(bytes.slice(0, 5)) !== bytes[5]) {
      return null;
    }
    return { frame: bytes[0] << 8 | bytes[1], time24: bytes[2] << 16 | bytes[3] << 8 | bytes[4] };
  }

  // The full production time: the one with these low 24 bits closest to now (same machine, same clock).
  function unwrapTime(time24, nowMs) {
    var behind = ((nowMs - time24) % WRAP + WRAP) % WRAP;
    if (behind > WRAP / 2) {
      behind -= WRAP;
    }
    return nowMs - behind;
  }

  window.addEventListener('videopicture', function (event) {
    var drawnMs = Date.now();
    var source = event.detail.canvas;
    var width = source.width, height = source.height;
    if (probe.firstPictureMs === null) {
      probe.firstPictureMs = performance.now();
      probe.renderer = source.getContext('webgl') ? 'webgl' : '2d';
    }

    var captures = probe.captures.splice(0);
    var at = layout(width, height);
    var stamp = null, full = null;
    if (captures.length > 0) {
      scratch.width = width;
      scratch.height = height;
      context.drawImage(source, 0, 0);
      full = context.getImageData(0, 0, width, height).data;
      if (at.fits) {
        stamp = readStamp(full.subarray(at.top * width * 4), width, at);
      }
    } else if (at.fits) {
      scratch.width = width;
      scratch.height = at.rows * BLOCK;
      context.drawImage(source, 0, at.top, width, at.rows * BLOCK, 0, 0, width, at.rows * BLOCK);
      stamp = readStamp(context.getImageData(0, 0, width, at.rows * BLOCK).data, width, at);
    }

    var picture = null;
    if (stamp) {
      picture = { frame: stamp.frame, producedMs: unwrapTime(stamp.time24, drawnMs), drawnMs: drawnMs };
      probe.pictures.push(picture);
    } else {
      probe.unreadable++;
    }

    captures.forEach(function (request) {
      var step = request.step, samples = [];
      for (var y = step >> 1; y < height; y += step) {
        for (var x = step >> 1; x < width; x += step) {
          samples.push(Math.round(luma(full, (y * width + x) * 4)));
        }
      }
      request.resolve({ stamp: picture, width: width, height: height, step: step, luma: samples });
    });
  });
})();
