// AmiConnection: the C++ object behind `telephony.ami.Client` — an ami::Client (telephony/
// manager/client.hpp) on a private io_context run by one thread of its own, which never takes the
// GIL. Every call is posted to that thread and returns an Operation; events stream into one
// bounded EventStream from the moment the connection opens, so nothing sent between login and
// the first events() call is missed.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <thread>

#include "event_stream.hpp"
#include "inbox.hpp"
#include "telephony/manager/client.hpp"

namespace telephony::python {

class AmiConnection {
 public:
  AmiConnection(std::string host, std::uint16_t port, double timeout, std::size_t event_capacity);
  ~AmiConnection();
  AmiConnection(const AmiConnection&) = delete;
  AmiConnection& operator=(const AmiConnection&) = delete;

  std::shared_ptr<Operation> connect();
  std::shared_ptr<Operation> login(std::string user, std::string secret, bool events, bool md5);
  // The Response (an ami.Message), whatever it says; AMIError when none came.
  std::shared_ptr<Operation> send(ami::Message action);
  // A list action: the response, the items and the completion event, as a list of Messages.
  std::shared_ptr<Operation> send_list(ami::Message action);
  void close();
  bool is_open() const;
  std::string banner() const;
  const std::shared_ptr<EventStream>& events() const { return events_; }
  const std::string& host() const { return host_; }
  std::uint16_t port() const { return port_; }

 private:
  template <class Body>
  std::shared_ptr<Operation> run(Body body);
  void watch_connection();

  std::string host_;
  std::uint16_t port_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<ami::Client> client_;
  std::shared_ptr<EventStream> events_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::string banner_;
  bool open_ = false;
};

}  // namespace telephony::python
