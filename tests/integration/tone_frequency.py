#!/usr/bin/env python3
"""tone_frequency.py FILE.wav...: the frequency (Hz, rounded) of the pure tone in a 16-bit wav (one
line per file),
measured by zero crossings over the middle half of its sounding part (leading and trailing
quiet cut; the first channel when stereo).
Prints 0 when the file holds less than 0.25 s there or only near-silence. Used by the SIP media
tests to check which tone crossed a call."""
import struct
import sys
import wave



def frequency(path):
    w = wave.open(path)
    rate, n, channels = w.getframerate(), w.getnframes(), w.getnchannels()
    # A writer killed mid-call (a phone's recorder) can leave a header longer than its data:
    # what is there counts.
    data = w.readframes(n)
    data = data[: len(data) // (2 * channels) * 2 * channels]
    samples = struct.unpack("<%dh" % (len(data) // 2), data)[::channels]
    # Only the sounding part counts: leading and trailing quiet (20 ms blocks under 500) is cut.
    block = max(1, rate // 50)
    loud = [i for i in range(0, len(samples), block) if max((abs(x) for x in samples[i : i + block]), default=0) >= 500]
    if loud:
        samples = samples[loud[0] : loud[-1] + block]
    middle = samples[len(samples) // 4 : 3 * len(samples) // 4]
    if len(middle) < rate // 4 or max(abs(x) for x in middle) < 500:
        return 0
    crossings = sum(1 for a, b in zip(middle, middle[1:]) if (a < 0) != (b < 0))
    return round(crossings / 2 / (len(middle) / rate))


for arg in sys.argv[1:]:
    print(frequency(arg))
