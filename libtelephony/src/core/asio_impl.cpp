// The single translation unit that compiles Boost.Asio (BOOST_ASIO_SEPARATE_COMPILATION): every
// other file includes only declarations, which keeps full rebuilds fast on 2 cores.
#include <boost/asio/impl/src.hpp>
