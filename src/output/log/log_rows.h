// Zeek-shaped logs (http.log, ftp.log, smtp.log, a pop3 log, ssl.log, ssh.log) from the analyzers'
// transactions.
#pragma once

#include "app/transactions.h"
#include "output/log/log_table.h"

namespace ps::app {

LogTable http_log(const Transactions& t);
LogTable ftp_log(const Transactions& t);
LogTable smtp_log(const Transactions& t);
LogTable pop3_log(const Transactions& t);
LogTable ssl_log(const Transactions& t);
LogTable ssh_log(const Transactions& t);

} // namespace ps::app
