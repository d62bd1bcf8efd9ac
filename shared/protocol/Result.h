#pragma once

#include "protocol/ErrorCode.h"

#include <utility>
#include <variant>

namespace pitchey {

// A value or an Error, passed across layers (storage -> services -> front ends).
template<typename T> class Result
{
public:
    Result(T value)
        : m_data(std::move(value))
    {} // NOLINT(google-explicit-constructor)
    Result(Error error)
        : m_data(std::move(error))
    {} // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return std::holds_alternative<T>(m_data); }
    [[nodiscard]] const T &value() const & { return std::get<T>(m_data); }
    [[nodiscard]] T &value() & { return std::get<T>(m_data); }
    [[nodiscard]] T &&value() && { return std::get<T>(std::move(m_data)); }
    [[nodiscard]] const Error &error() const { return std::get<Error>(m_data); }

private:
    std::variant<T, Error> m_data;
};

// For operations that succeed with nothing to return.
struct Done
{
};
using Status = Result<Done>;

} // namespace pitchey
