<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

namespace local_polku\http;

/**
 * A call to Polku that did not succeed: a transport failure (status 0) or an
 * HTTP error with Polku's JSON error body. Messages never hold personal data.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class polku_exception extends \moodle_exception {
    /** @var int HTTP status, 0 when Polku was not reached */
    public $httpstatus;
    /** @var string gRPC status name from the error body, e.g. "UNIMPLEMENTED" */
    public $grpcstatus;
    /** @var string */
    public $detail;

    /**
     * Constructor.
     *
     * @param int $httpstatus HTTP status, 0 for a transport failure
     * @param string $grpcstatus gRPC status name, '' when unknown
     * @param string $detail error text
     */
    public function __construct(int $httpstatus, string $grpcstatus, string $detail) {
        $this->httpstatus = $httpstatus;
        $this->grpcstatus = $grpcstatus;
        $this->detail = $detail;
        parent::__construct('error:polku', 'local_polku', '', self::describe($httpstatus, $grpcstatus, $detail));
    }

    /**
     * Whether a later retry may succeed (Polku unreachable, overloaded or failing).
     *
     * @return bool
     */
    public function is_retryable(): bool {
        return $this->httpstatus === 0 || $this->httpstatus === 429 || $this->httpstatus >= 500 &&
            $this->grpcstatus !== 'UNIMPLEMENTED';
    }

    /**
     * Whether Polku answered that the RPC is not implemented (yet).
     *
     * @return bool
     */
    public function is_unimplemented(): bool {
        return $this->grpcstatus === 'UNIMPLEMENTED' || ($this->grpcstatus === '' && $this->httpstatus === 501);
    }

    /**
     * One line for logs and the status page.
     *
     * @param int $httpstatus
     * @param string $grpcstatus
     * @param string $detail
     * @return string
     */
    public static function describe(int $httpstatus, string $grpcstatus, string $detail): string {
        if ($httpstatus === 0) {
            return 'Polku not reached: ' . $detail;
        }
        return 'HTTP ' . $httpstatus . ($grpcstatus !== '' ? ' ' . $grpcstatus : '') . ': ' . $detail;
    }
}
