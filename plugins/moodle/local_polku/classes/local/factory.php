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

namespace local_polku\local;

use local_polku\http\curl_client;
use local_polku\polku_api;

/**
 * Builds the plugin's objects from its settings.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class factory {
    /**
     * Polku's API from the endpoint, key and timeout settings.
     *
     * @return polku_api
     */
    public static function api(): polku_api {
        $config = get_config('local_polku');
        return new polku_api(new curl_client((string)($config->endpoint ?? ''), (string)($config->apikey ?? ''),
            (int)($config->timeoutms ?? curl_client::DEFAULT_TIMEOUT_MS)));
    }

    /**
     * Records the outcome of a send for the status page.
     *
     * @param array $report sender report
     */
    public static function record(array $report): void {
        if ($report['error'] === '') {
            set_config('lastsuccess', time(), 'local_polku');
        } else {
            set_config('lasterror', $report['error'], 'local_polku');
            set_config('lasterrortime', time(), 'local_polku');
        }
    }
}
