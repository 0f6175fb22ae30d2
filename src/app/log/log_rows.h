// Zeek-shaped logs (http.log, ftp.log, smtp.log, a pop3 log) from the analyzers' transactions.
#pragma once

#include "app/log/log_table.h"
#include "app/transactions.h"

namespace ps::app {

LogTable http_log(const Transactions& t);
LogTable ftp_log(const Transactions& t);
LogTable smtp_log(const Transactions& t);
LogTable pop3_log(const Transactions& t);

} // namespace ps::app
