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

namespace local_polku;

/**
 * Deterministic event ids (UUIDv5) and learner keys, as Polku computes them.
 *
 * The event id is derived from Moodle's own event data only, so that an
 * event queued by the observer and the same event read back from
 * logstore_standard_log by the backfill script get the same id, and Polku
 * stores it once. Pure functions; no Moodle API.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class event_id {
    /** UUIDv5(url namespace, 'urn:polku:event'), shared with the server (tests/data/uuid5_vectors.json). */
    public const EVENT_NAMESPACE = 'a267efcc-beef-5b3b-b64b-c1441205ae28';

    /**
     * RFC 4122 name-based UUID, version 5 (SHA-1).
     *
     * @param string $namespace namespace UUID in its 8-4-4-4-12 text form
     * @param string $name the name, as bytes
     * @return string the UUID in lowercase text form
     */
    public static function uuid5(string $namespace, string $name): string {
        $nshex = str_replace('-', '', strtolower($namespace));
        if (strlen($nshex) !== 32 || !ctype_xdigit($nshex)) {
            throw new \InvalidArgumentException('namespace: is not a UUID');
        }
        $hash = sha1(hex2bin($nshex) . $name, true);
        $bytes = substr($hash, 0, 16);
        $bytes[6] = chr((ord($bytes[6]) & 0x0f) | 0x50);
        $bytes[8] = chr((ord($bytes[8]) & 0x3f) | 0x80);
        $hex = bin2hex($bytes);
        return substr($hex, 0, 8) . '-' . substr($hex, 8, 4) . '-' . substr($hex, 12, 4) . '-' .
            substr($hex, 16, 4) . '-' . substr($hex, 20, 12);
    }

    /**
     * The id of a Moodle event: UUIDv5 over the instance and the event's
     * identifying fields, including its time, so resends deduplicate and two
     * views at different times stay two events.
     *
     * @param string $wwwroot the site's wwwroot
     * @param array $data event data ($event->get_data() or a log row)
     * @return string
     */
    public static function for_event(string $wwwroot, array $data): string {
        $eventname = '\\' . ltrim((string)($data['eventname'] ?? ''), '\\');
        $parts = [
            'moodle',
            self::canonical_instance($wwwroot),
            $eventname,
            self::int_or_empty($data['userid'] ?? null),
            self::int_or_empty($data['relateduserid'] ?? null),
            self::int_or_empty($data['contextid'] ?? null),
            self::int_or_empty($data['objectid'] ?? null),
            self::int_or_empty($data['courseid'] ?? null),
            self::int_or_empty($data['contextinstanceid'] ?? null),
            (string)($data['crud'] ?? ''),
            self::int_or_empty($data['timecreated'] ?? null),
            self::other_digest($data['other'] ?? null),
        ];
        return self::uuid5(self::EVENT_NAMESPACE, implode("\n", $parts));
    }

    /**
     * The instance in Polku's canonical form: no scheme, lowercase host, no
     * trailing slash, query or fragment (model::CanonicalInstance).
     *
     * @param string $url wwwroot or host
     * @return string
     */
    public static function canonical_instance(string $url): string {
        $rest = $url;
        $scheme = strpos($rest, '://');
        if ($scheme !== false) {
            $rest = substr($rest, $scheme + 3);
        }
        $cut = strcspn($rest, '?#');
        $rest = rtrim(substr($rest, 0, $cut), '/');
        $slash = strpos($rest, '/');
        if ($slash === false) {
            return strtolower($rest);
        }
        return strtolower(substr($rest, 0, $slash)) . substr($rest, $slash);
    }

    /**
     * The learner key Polku gives a Moodle user: "<canonical instance>#<user id>"
     * (model::LearnerKey).
     *
     * @param string $wwwroot the site's wwwroot
     * @param int $userid Moodle user id
     * @return string
     */
    public static function learner_key(string $wwwroot, int $userid): string {
        return self::canonical_instance($wwwroot) . '#' . $userid;
    }

    /**
     * Polku's activity id of a course: the object id its normaliser gives course events.
     *
     * @param string $wwwroot the site's wwwroot
     * @param int $courseid course id
     * @return string
     */
    public static function course_activity_id(string $wwwroot, int $courseid): string {
        return self::canonical_instance($wwwroot) . '/course/view.php?id=' . $courseid;
    }

    /**
     * SHA-1 of `other` in a canonical JSON form (keys sorted), so that the
     * same event read from the observer (an array) and from a log row (JSON
     * or PHP-serialised text, decoded first) gives the same digest. '' when empty.
     *
     * @param mixed $other
     * @return string
     */
    private static function other_digest($other): string {
        if (is_string($other)) {
            $other = payload_builder::decode_other($other);
        }
        if ($other === null || $other === [] || $other === '') {
            return '';
        }
        return sha1(json_encode(self::sorted($other), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE |
            JSON_INVALID_UTF8_SUBSTITUTE | JSON_PRESERVE_ZERO_FRACTION));
    }

    /**
     * A value with every array's keys sorted and scalars as text.
     *
     * @param mixed $v
     * @return mixed
     */
    private static function sorted($v) {
        if (is_object($v)) {
            $v = (array)$v;
        }
        if (!is_array($v)) {
            return $v === null ? null : (is_bool($v) ? ($v ? '1' : '0') : (string)$v);
        }
        ksort($v, SORT_STRING);
        return array_map([self::class, 'sorted'], $v);
    }

    /**
     * A decimal integer as text, or '' when the value is not an integer.
     *
     * @param mixed $v
     * @return string
     */
    private static function int_or_empty($v): string {
        if (is_int($v)) {
            return (string)$v;
        }
        if (is_string($v) && preg_match('/^-?\d+$/', $v)) {
            return (string)(int)$v;
        }
        return '';
    }
}
