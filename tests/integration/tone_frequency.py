#!/usr/bin/env python3
"""tone_frequency.py FILE.wav...: the frequency (Hz, rounded) of the pure tone in a 16-bit wav (one
line per file), or with `--windows SECONDS FILE` the frequency of each window of that length
(0 for near-silence), on one line — to follow a call whose audio changes (music on hold). One tone
is measured by zero crossings over the middle half of its sounding part (leading and trailing
quiet cut; the first channel when stereo).
Prints 0 when the file holds less than 0.25 s there or only near-silence. Used by the SIP media
tests to check which tone crossed a call."""
import struct
import sys
import wave



def read_samples(path):
    w = wave.open(path)
    rate, n, channels = w.getframerate(), w.getnframes(), w.getnchannels()
    # A writer killed mid-call (a phone's recorder) can leave a header longer than its data:
    # what is there counts.
    data = w.readframes(n)
    data = data[: len(data) // (2 * channels) * 2 * channels]
    return rate, struct.unpack("<%dh" % (len(data) // 2), data)[::channels]


def crossings_hz(samples, rate):
    crossings = sum(1 for a, b in zip(samples, samples[1:]) if (a < 0) != (b < 0))
    return round(crossings / 2 / (len(samples) / rate))


def frequency(path):
    rate, samples = read_samples(path)
    # Only the sounding part counts: leading and trailing quiet (20 ms blocks under 500) is cut.
    block = max(1, rate // 50)
    loud = [i for i in range(0, len(samples), block) if max((abs(x) for x in samples[i : i + block]), default=0) >= 500]
    if loud:
        samples = samples[loud[0] : loud[-1] + block]
    middle = samples[len(samples) // 4 : 3 * len(samples) // 4]
    if len(middle) < rate // 4 or max(abs(x) for x in middle) < 500:
        return 0
    return crossings_hz(middle, rate)


def windows(path, seconds):
    """The frequency of each window of the whole file (0 where it is near-silent)."""
    rate, samples = read_samples(path)
    size = max(1, int(rate * seconds))
    out = []
    for i in range(0, len(samples) - size + 1, size):
        w = samples[i : i + size]
        out.append(crossings_hz(w, rate) if max(abs(x) for x in w) >= 500 else 0)
    return out


if sys.argv[1] == "--windows":
    print(" ".join(str(f) for f in windows(sys.argv[3], float(sys.argv[2]))))
else:
    for arg in sys.argv[1:]:
        print(frequency(arg))
