<?php
// Test-only: the subset of Moodle's \curl (lib/filelib.php) that
// local_polku\http\curl_client calls, with Moodle's option handling
// ('CURLOPT_X' => value, merged per request), return values (the body, or
// the error text on failure) and accessors (get_info, get_errno, $error).
// Moodle's URL blocklist is not reproduced.

if (!class_exists('curl')) {
    /** Test-only stand-in for Moodle's \curl. */
    class curl {
        /** @var string */
        public $error = '';
        /** @var int */
        public $errno = 0;
        /** @var array */
        public $info = [];
        /** @var string[] */
        private $headers = [];

        /**
         * @param array $settings ignored (Moodle: proxy, cache, security)
         */
        public function __construct($settings = []) {
        }

        /**
         * @param string|string[] $header
         */
        public function setHeader($header) {
            foreach ((array)$header as $h) {
                $this->headers[] = $h;
            }
        }

        /**
         * @param string $url
         * @param array $params
         * @param array $options
         * @return string
         */
        public function get($url, $params = [], $options = []) {
            $options['CURLOPT_HTTPGET'] = 1;
            if ($params) {
                $url .= (strpos($url, '?') === false ? '?' : '&') . http_build_query($params, '', '&');
            }
            return $this->request($url, $options);
        }

        /**
         * @param string $url
         * @param string|array $params
         * @param array $options
         * @return string
         */
        public function post($url, $params = '', $options = []) {
            $options['CURLOPT_POST'] = 1;
            $options['CURLOPT_POSTFIELDS'] = is_array($params) ? http_build_query($params, '', '&') : $params;
            return $this->request($url, $options);
        }

        /**
         * @param string $url
         * @param array $param
         * @param array $options
         * @return string
         */
        public function delete($url, $param = [], $options = []) {
            $options['CURLOPT_CUSTOMREQUEST'] = 'DELETE';
            return $this->request($url, $options);
        }

        /**
         * @return array
         */
        public function get_info() {
            return $this->info;
        }

        /**
         * @return int
         */
        public function get_errno() {
            return $this->errno;
        }

        /**
         * @param string $url
         * @param array $options
         * @return string
         */
        private function request($url, $options) {
            $ch = curl_init($url);
            curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
            curl_setopt($ch, CURLOPT_HTTPHEADER, $this->headers);
            foreach ($options as $name => $value) {
                $name = strtoupper($name);
                if (strpos($name, 'CURLOPT_') !== 0) {
                    $name = 'CURLOPT_' . $name;
                }
                curl_setopt($ch, constant($name), $value);
            }
            $ret = curl_exec($ch);
            $this->info = curl_getinfo($ch);
            $this->errno = curl_errno($ch);
            $this->error = $this->errno ? curl_error($ch) : '';
            curl_close($ch);
            return $this->errno ? $this->error : (string)$ret;
        }
    }
}
