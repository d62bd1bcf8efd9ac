// The client frame parser the I/O threads run on every text frame a WebSocket receives.
#include "protocol/Frames.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto parsed = pitchey::frames::parseClientFrame(text);
    (void)parsed;
    return 0;
}
