// Boost.Asio's SSL layer compiled once (BOOST_ASIO_SEPARATE_COMPILATION), for AMI over TLS.
// If another module also needs TLS it should use this translation unit, not add a second one.
#include <boost/asio/ssl/impl/src.hpp>
