// Zeek-shaped logs (http.log, ftp.log, smtp.log, a pop3 log, ssl.log, ssh.log) from the analyzers'
// transactions.
#pragma once

#include "app/transactions.h"
#include "output/log/log_table.h"

namespace ps::app {

LogTable http_log(const Transactions& t);
// The URL a browser showed for the request (http://host[:port]/path, the port only when not 80); empty
// when the request line was not seen.
std::string http_request_url(const HttpTxn& x);
LogTable ftp_log(const Transactions& t);
LogTable smtp_log(const Transactions& t);
LogTable pop3_log(const Transactions& t);
LogTable ssl_log(const Transactions& t);
LogTable ssh_log(const Transactions& t);

} // namespace ps::app
