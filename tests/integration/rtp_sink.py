#!/usr/bin/env python3
"""rtp_sink.py PORT OUT.wav SECONDS: a phone's ear for the SIP tests. Listens on 127.0.0.1:PORT
for SECONDS and decodes every RTP packet with payload type 0 (PCMU) or 8 (PCMA) into a 16-bit
8 kHz wav in arrival order (the PCMA ones also alone into OUT-pcma.wav when there are any).
Prints "listening" once bound, then at the end
"packets=N pcma=M first_ms=T last_ms=U sources=[ports]" (milliseconds from start to the first
and last packet, -1 when none; the UDP source ports seen), so a test can measure what a phone
heard and in which codec."""
import warnings

warnings.simplefilter("ignore", DeprecationWarning)  # audioop: deprecated in 3.11, present until 3.13
import audioop  # noqa: E402
import socket
import sys
import time
import wave


def main():
    port, out, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    print("listening", flush=True)  # the test starts the call only now
    start = time.monotonic()
    pcm, pcma, packets, alaw_packets, first, last, sources = bytearray(), bytearray(), 0, 0, -1, -1, set()
    while (left := seconds - (time.monotonic() - start)) > 0:
        s.settimeout(left)
        try:
            data, src = s.recvfrom(2048)
        except socket.timeout:
            break
        if len(data) < 12 or data[0] >> 6 != 2:
            continue
        cc = data[0] & 0x0F
        pt = data[1] & 0x7F
        if pt not in (0, 8):
            continue
        if first < 0:
            first = int((time.monotonic() - start) * 1000)
        last = int((time.monotonic() - start) * 1000)
        sources.add(src[1])
        packets += 1
        if pt == 0:
            pcm += audioop.ulaw2lin(data[12 + 4 * cc :], 2)
        else:
            decoded = audioop.alaw2lin(data[12 + 4 * cc :], 2)
            pcm += decoded
            pcma += decoded
            alaw_packets += 1
    write_wav(out, pcm)
    if pcma:
        write_wav(out.removesuffix(".wav") + "-pcma.wav", pcma)
    print(f"packets={packets} pcma={alaw_packets} first_ms={first} last_ms={last} sources={sorted(sources)}")


def write_wav(path, pcm):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(pcm))


if __name__ == "__main__":
    main()
