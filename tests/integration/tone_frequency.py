#!/usr/bin/env python3
"""tone_frequency.py FILE.wav: the frequency (Hz, rounded) of the pure tone in a 16-bit wav,
measured by zero crossings over the middle half of its sounding part (leading and trailing
quiet cut; the first channel when stereo).
Prints 0 when the file holds less than 0.25 s there or only near-silence. Used by the SIP media
tests to check which tone crossed a call."""
import struct
import sys
import wave

w = wave.open(sys.argv[1])
rate, n, channels = w.getframerate(), w.getnframes(), w.getnchannels()
samples = struct.unpack("<%dh" % (n * channels), w.readframes(n))[::channels]
# Only the sounding part counts: leading and trailing quiet (20 ms blocks under 500) is cut.
block = max(1, rate // 50)
loud = [i for i in range(0, len(samples), block) if max((abs(x) for x in samples[i : i + block]), default=0) >= 500]
if loud:
    samples = samples[loud[0] : loud[-1] + block]
middle = samples[len(samples) // 4 : 3 * len(samples) // 4]
if len(middle) < rate // 4 or max(abs(x) for x in middle) < 500:
    print(0)
    sys.exit()
crossings = sum(1 for a, b in zip(middle, middle[1:]) if (a < 0) != (b < 0))
print(round(crossings / 2 / (len(middle) / rate)))
