// Reads the frame stamp (PiStreaming/Sources/FrameStamp.cs) of every picture the page draws.
// Added with addInitScript, so it is in place before the page's own script; it listens to the
// page's 'videopicture' event, which fires right after jsmpg.js drew a picture.
//
// Every picture: the stamp is read from the luma plane jsmpg.js has just drawn (player.currentY),
// which costs next to nothing; reading the canvas back costs a WebGL canvas about 10 ms a picture,
// enough to disturb what is measured. On request (captureNext) the picture is read back from the
// canvas itself, real pixels, and its stamp is compared with the decoder's.
// H.264 pictures have no decoder planes to read: the stamp rows are read back from the 2D canvas the
// WebCodecs player drew on (a few ms at most), or from the <video> the MSE player shows, drawn on a
// scratch canvas.
(function () {
  'use strict';
  var BLOCK = 16, BITS = 48, WRAP = 1 << 24;

  // Note when the video socket opens, to split "first picture" into page loading and streaming.
  var PageWebSocket = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    var socket = protocols === undefined ? new PageWebSocket(url) : new PageWebSocket(url, protocols);
    socket.addEventListener('open', function () {
      if (probe.socketOpenMs === null) {
        probe.socketOpenMs = performance.now();
      }
    });
    return socket;
  };
  window.WebSocket.prototype = PageWebSocket.prototype;

  var probe = window.pictureProbe = {
    pictures: [], // { frame, producedMs, drawnMs }, one per drawn picture with a readable stamp
    unreadable: 0, // drawn pictures whose stamp failed its CRC (or had no room for one)
    firstPictureMs: null, // performance.now() at the first picture: milliseconds since navigation started
    firstStillMs: null, // performance.now() at the first animation frame after the page's still snapshot loaded
    socketOpenMs: null, // performance.now() when the page's first WebSocket opened
    renderer: null, // 'webgl' or '2d', as jsmpg.js chose ('video' for the MSE player)
    codec: null, // 'mpeg1' or 'h264': what the page plays
    firstPictureType: null, // 'I' or 'P': the coding type of the first picture drawn
    readingMs: 0, // time spent in this probe, so its own cost is known
    captures: [],

    take: function () {
      var taken = this.pictures;
      this.pictures = [];
      return taken;
    },

    // The next drawn picture read back from the canvas: its stamp and its luma every `step` pixels.
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

  // The page shows the newest snapshot (#still) until the video starts: note when it is on screen,
  // at the first animation frame after it loaded (load events do not bubble, but they can be captured).
  document.addEventListener('load', function (event) {
    if (event.target && event.target.id === 'still' && probe.firstStillMs === null) {
      requestAnimationFrame(function () {
        if (probe.firstStillMs === null) {
          probe.firstStillMs = performance.now();
        }
      });
    }
  }, true);

  var scratch = document.createElement('canvas');
  var context = scratch.getContext('2d', { willReadFrequently: true });

  function layout(width, height) {
    var perRow = Math.floor(width / BLOCK);
    var rows = perRow > 0 ? Math.ceil(BITS / perRow) : 0;
    var fits = perRow > 0 && rows * BLOCK <= Math.floor(height / 2);
    return { perRow: perRow, rows: rows, top: (Math.floor(height / BLOCK) - rows) * BLOCK, fits: fits };
  }

  function rgbLuma(data, index) {
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

  // lumaAt(x, y): the picture's luma. Returns { frame, time24 }, or null when the CRC fails.
  function readStamp(lumaAt, at) {
    var bytes = [0, 0, 0, 0, 0, 0];
    for (var bit = 0; bit < BITS; bit++) {
      var x = (bit % at.perRow) * BLOCK, y = at.top + Math.floor(bit / at.perRow) * BLOCK;
      var sum = 0; // the block's centre 4x4, away from the edges where the codec rings
      for (var dy = 6; dy < 10; dy++) {
        for (var dx = 6; dx < 10; dx++) {
          sum += lumaAt(x + dx, y + dy);
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

  function sameStamp(a, b) {
    return a !== null && b !== null && a.frame === b.frame && a.time24 === b.time24;
  }

  window.addEventListener('videopicture', function (event) {
    var drawnMs = Date.now(), started = performance.now();
    var canvas = event.detail.canvas, player = event.detail.player, video = event.detail.video;
    if (video) {
      // The MSE player's <video>: its current picture, drawn where the probe can read it.
      scratch.width = video.videoWidth;
      scratch.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      canvas = scratch;
    }
    var width = canvas.width, height = canvas.height, at = layout(width, height);
    if (probe.firstPictureMs === null) {
      probe.firstPictureMs = performance.now();
      probe.codec = event.detail.codec || 'mpeg1';
      probe.renderer = video ? 'video' : canvas.getContext('webgl') ? 'webgl' : '2d';
      probe.firstPictureType = player ? ({ 1: 'I', 2: 'P' }[player.pictureCodingType] || null) : null;
    }

    // jsmpg.js calls back before it swaps its buffers: currentY is the picture just drawn. A 2D canvas
    // (H.264) is read back, only the rows that hold the stamp.
    var stamp = null;
    if (at.fits && player) {
      stamp = readStamp(function (x, y) { return player.currentY[y * player.codedWidth + x]; }, at);
    } else if (at.fits) {
      var rows = canvas.getContext('2d').getImageData(0, at.top, width, at.rows * BLOCK).data;
      stamp = readStamp(function (x, y) { return rgbLuma(rows, ((y - at.top) * width + x) * 4); }, at);
    }
    if (stamp) {
      probe.pictures.push({ frame: stamp.frame, producedMs: unwrapTime(stamp.time24, drawnMs), drawnMs: drawnMs });
    } else {
      probe.unreadable++;
    }

    var captures = probe.captures.splice(0);
    if (captures.length > 0) {
      // Still within the task that drew it, so even a WebGL canvas holds the picture.
      if (canvas !== scratch) {
        scratch.width = width;
        scratch.height = height;
        context.drawImage(canvas, 0, 0);
      }
      var pixels = context.getImageData(0, 0, width, height).data;
      var shown = at.fits ? readStamp(function (x, y) { return rgbLuma(pixels, (y * width + x) * 4); }, at) : null;
      var picture = shown && { frame: shown.frame, producedMs: unwrapTime(shown.time24, drawnMs), drawnMs: drawnMs };
      captures.forEach(function (request) {
        var step = request.step, samples = [];
        for (var y = step >> 1; y < height; y += step) {
          for (var x = step >> 1; x < width; x += step) {
            samples.push(Math.round(rgbLuma(pixels, (y * width + x) * 4)));
          }
        }
        request.resolve({
          stamp: picture, sameAsDecoder: sameStamp(shown, stamp), codec: event.detail.codec || 'mpeg1',
          width: width, height: height, step: step, luma: samples
        });
      });
    }
    probe.readingMs += performance.now() - started;
  });
})();
