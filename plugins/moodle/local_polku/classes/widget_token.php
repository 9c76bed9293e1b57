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
 * Tokens that open Polku's learner widget (/ui/learner) for one user.
 *
 * A token is short-lived and signed with the tenant's widget secret
 * (`polku ui secret --tenant=T`), so the browser never sees an API key:
 *
 *   input = "polku-ui-v1\n" . tenant . "\n" . learner key . "\n" . expiry
 *   token = "v1." . tenant . "." . base64url(learner key) . "." . expiry . "." .
 *           base64url(HMAC-SHA256(key = secret text, input))
 *
 * with base64url as in RFC 4648 section 5, without padding, and the expiry in
 * Unix seconds. Polku (services/ui/ui_token.cc) refuses a token that expired,
 * lives longer than 600 seconds, or was used before. Pure functions; no
 * Moodle API.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class widget_token {
    /** The longest lifetime Polku accepts, in seconds. */
    public const MAX_LIFETIME = 600;
    /** The shortest lifetime this plugin mints, in seconds. */
    public const MIN_LIFETIME = 30;
    /** Seconds beyond MAX_LIFETIME an expiry may be bumped (Polku tolerates 30 s of clock skew). */
    public const SKEW_MARGIN = 15;
    /** Default lifetime, in seconds. */
    public const DEFAULT_LIFETIME = 300;
    /** Display mode: no widget. */
    public const DISPLAY_OFF = 'off';
    /** Display mode: a link that opens the widget in a new window. */
    public const DISPLAY_LINK = 'link';
    /** Display mode: the widget in an iframe inside the block. */
    public const DISPLAY_EMBED = 'embed';

    /**
     * The exact bytes that are signed.
     *
     * @param string $tenant Polku tenant id
     * @param string $learner learner key
     * @param int $expiry Unix seconds
     * @return string
     */
    public static function signing_input(string $tenant, string $learner, int $expiry): string {
        return "polku-ui-v1\n" . $tenant . "\n" . $learner . "\n" . $expiry;
    }

    /**
     * RFC 4648 section 5 base64url without padding.
     *
     * @param string $bytes
     * @return string
     */
    public static function base64url(string $bytes): string {
        return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
    }

    /**
     * Whether a text is a Polku tenant id: 1-64 of a-z, 0-9, '-' and '_',
     * starting with a letter or digit.
     *
     * @param string $tenant
     * @return bool
     */
    public static function valid_tenant(string $tenant): bool {
        return preg_match('/^[a-z0-9][a-z0-9_-]{0,63}$/D', $tenant) === 1;
    }

    /**
     * Mints a token.
     *
     * @param string $secret the tenant's widget secret, exactly as `polku ui secret` printed it
     * @param string $tenant Polku tenant id
     * @param string $learner learner key
     * @param int $expiry Unix seconds
     * @return string
     * @throws \InvalidArgumentException for a bad tenant id, an empty learner key or an empty secret
     */
    public static function mint(string $secret, string $tenant, string $learner, int $expiry): string {
        if (!self::valid_tenant($tenant)) {
            throw new \InvalidArgumentException('tenant: may hold only a-z, 0-9, \'-\' and \'_\'');
        }
        if ($learner === '') {
            throw new \InvalidArgumentException('learner: is required');
        }
        if ($secret === '') {
            throw new \InvalidArgumentException('secret: is empty');
        }
        $signature = hash_hmac('sha256', self::signing_input($tenant, $learner, $expiry), $secret, true);
        return 'v1.' . $tenant . '.' . self::base64url($learner) . '.' . $expiry . '.' . self::base64url($signature);
    }

    /**
     * The widget's address for a token: <base>/ui/learner?token=T[&lang=L].
     *
     * @param string $baseurl Polku's public HTTP address, as the browser reaches it
     * @param string $token
     * @param string $lang "en" or "fi"; anything else leaves the choice to the browser's language
     * @return string
     */
    public static function widget_url(string $baseurl, string $token, string $lang = ''): string {
        $url = rtrim(trim($baseurl), '/') . '/ui/learner?token=' . rawurlencode($token);
        if ($lang === 'en' || $lang === 'fi') {
            $url .= '&lang=' . $lang;
        }
        return $url;
    }

    /**
     * The token lifetime from the setting: the default when unset, else
     * between MIN_LIFETIME and MAX_LIFETIME.
     *
     * @param mixed $setting
     * @return int seconds
     */
    public static function lifetime($setting): int {
        if ($setting === null || $setting === '' || !is_numeric($setting)) {
            return self::DEFAULT_LIFETIME;
        }
        return max(self::MIN_LIFETIME, min(self::MAX_LIFETIME, (int)$setting));
    }

    /**
     * The expiry of a new token: now + lifetime, but later than the expiry
     * of the user's previous token (when known). Two tokens for the same
     * learner with the same expiry are the same token, and Polku accepts a
     * token once; so a learner opening the widget twice within a second
     * (a double click, a quick reload of a page that frames it) still gets
     * two tokens. The bump stays within Polku's tolerance (at most
     * MAX_LIFETIME + SKEW_MARGIN seconds ahead).
     *
     * @param int $now Unix seconds
     * @param int $lifetime seconds
     * @param int $previous expiry of the previous token made for the user, 0 if none
     * @return int Unix seconds
     */
    public static function expiry(int $now, int $lifetime, int $previous = 0): int {
        $expiry = $now + $lifetime;
        if ($expiry <= $previous && $previous < $now + self::MAX_LIFETIME + self::SKEW_MARGIN) {
            $expiry = $previous + 1;
        }
        return $expiry;
    }

    /**
     * Whether the settings are complete enough to open the widget.
     *
     * @param \stdClass|array $config local_polku settings (uiurl, uitenant, uisecret)
     * @return bool
     */
    public static function configured($config): bool {
        $config = (array)$config;
        return trim((string)($config['uiurl'] ?? '')) !== '' && self::valid_tenant((string)($config['uitenant'] ?? ''))
            && (string)($config['uisecret'] ?? '') !== '';
    }

    /**
     * How the block shows the widget: DISPLAY_OFF when the settings are incomplete.
     *
     * @param \stdClass|array $config local_polku settings
     * @return string one of the DISPLAY_ constants
     */
    public static function display_mode($config): string {
        if (!self::configured($config)) {
            return self::DISPLAY_OFF;
        }
        $mode = (string)(((array)$config)['uidisplay'] ?? self::DISPLAY_LINK);
        return in_array($mode, [self::DISPLAY_LINK, self::DISPLAY_EMBED], true) ? $mode : self::DISPLAY_OFF;
    }

    /**
     * The widget's address for a Moodle user, with a fresh token for the
     * learner key the plugin sends the user's events under.
     *
     * @param \stdClass|array $config local_polku settings (uiurl, uitenant, uisecret, uilifetime)
     * @param string $wwwroot the site's wwwroot
     * @param int $userid Moodle user id
     * @param string $lang "en" or "fi" (anything else: the browser's language)
     * @param int $now Unix seconds
     * @param int $previous expiry of the previous token made for the user in this session, 0 if none
     * @return array{url: string, expires: int}|null null when the widget is not configured
     */
    public static function for_user($config, string $wwwroot, int $userid, string $lang, int $now,
            int $previous = 0): ?array {
        if (!self::configured($config)) {
            return null;
        }
        $config = (array)$config;
        $expiry = self::expiry($now, self::lifetime($config['uilifetime'] ?? null), $previous);
        $token = self::mint((string)$config['uisecret'], (string)$config['uitenant'],
            event_id::learner_key($wwwroot, $userid), $expiry);
        return ['url' => self::widget_url((string)$config['uiurl'], $token, $lang), 'expires' => $expiry];
    }
}
