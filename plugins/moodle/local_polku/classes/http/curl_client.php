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
 * {@see client} over Moodle's \curl, with short timeouts so that no caller
 * waits long when Polku is down.
 *
 * Moodle's own security checks (curlsecurityblockedhosts,
 * curlsecurityallowedport) apply: an administrator allows Polku's host and port.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class curl_client implements client {
    /** Default total time of one request, in milliseconds. */
    public const DEFAULT_TIMEOUT_MS = 1800;
    /** Default time to connect, in milliseconds. */
    public const DEFAULT_CONNECT_TIMEOUT_MS = 1000;

    /** @var string */
    private $endpoint;
    /** @var string */
    private $apikey;
    /** @var int */
    private $timeoutms;
    /** @var callable(): \curl */
    private $curlfactory;

    /**
     * Constructor.
     *
     * @param string $endpoint Polku's HTTP base URL, e.g. "https://polku.example.edu"
     * @param string $apikey API key, sent as a bearer token
     * @param int $timeoutms total time of one request
     * @param callable|null $curlfactory makes a \curl (tests pass their own)
     */
    public function __construct(string $endpoint, string $apikey, int $timeoutms = self::DEFAULT_TIMEOUT_MS,
            ?callable $curlfactory = null) {
        $this->endpoint = rtrim($endpoint, '/');
        $this->apikey = $apikey;
        $this->timeoutms = max(100, $timeoutms);
        $this->curlfactory = $curlfactory ?? static function() {
            return new \curl(['ignoresecurity' => false]);
        };
    }

    /**
     * {@inheritdoc}
     */
    public function request(string $method, string $path, ?array $body = null): array {
        if ($this->endpoint === '') {
            throw new polku_exception(0, '', 'no endpoint configured');
        }
        $curl = ($this->curlfactory)();
        $headers = ['Accept: application/json'];
        if ($this->apikey !== '') {
            $headers[] = 'Authorization: Bearer ' . $this->apikey;
        }
        if ($body !== null) {
            $headers[] = 'Content-Type: application/json';
        }
        $curl->setHeader($headers);
        $options = [
            'CURLOPT_TIMEOUT_MS' => $this->timeoutms,
            'CURLOPT_CONNECTTIMEOUT_MS' => min(self::DEFAULT_CONNECT_TIMEOUT_MS, $this->timeoutms),
            'CURLOPT_NOSIGNAL' => 1,
            'CURLOPT_FOLLOWLOCATION' => 0,
        ];
        $url = $this->endpoint . $path;
        $json = $body === null ? '' : json_encode($body, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE |
            JSON_PRESERVE_ZERO_FRACTION | JSON_INVALID_UTF8_SUBSTITUTE);
        switch ($method) {
            case 'GET':
                $raw = $curl->get($url, [], $options);
                break;
            case 'POST':
                $raw = $curl->post($url, $json, $options);
                break;
            case 'PUT':
                $options['CURLOPT_CUSTOMREQUEST'] = 'PUT';
                $raw = $curl->post($url, $json, $options);
                break;
            case 'DELETE':
                $raw = $curl->delete($url, [], $options);
                break;
            default:
                throw new \coding_exception('Unsupported method ' . $method);
        }
        $info = $curl->get_info();
        $status = (int)($info['http_code'] ?? 0);
        if ($curl->get_errno() || $status === 0) {
            $error = (string)($curl->error ?? '');
            throw new polku_exception(0, '', $error !== '' ? $error : 'no answer');
        }
        $decoded = ($raw === '' || $raw === null) ? [] : json_decode((string)$raw, true);
        if ($status >= 200 && $status < 300) {
            if (!is_array($decoded)) {
                throw new polku_exception($status, '', 'answer is not JSON');
            }
            return $decoded;
        }
        $error = is_array($decoded) && isset($decoded['error']) && is_array($decoded['error']) ? $decoded['error'] : [];
        $detail = (string)($error['message'] ?? substr((string)$raw, 0, 200));
        if (!empty($error['field'])) {
            $detail = $error['field'] . ': ' . $detail;
        }
        throw new polku_exception($status, (string)($error['status'] ?? ''), $detail);
    }
}
