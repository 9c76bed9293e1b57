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

namespace block_polku\output;

/**
 * Template data of the block from Polku's answers. Pure; no Moodle API.
 *
 * @package    block_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class view_model {
    /** Nudge kinds Polku returns, as lang string suffixes. */
    public const KINDS = ['CONTINUE_PATH', 'APPLY_AT_WORK', 'SHARE_WITH_COMMUNITY', 'REFLECT', 'EXPLORE_FUTURE_SKILL',
        'CHOOSE_YOUR_NEXT_STEP', 'TURN_COURSE_INTO_PATH', 'COMPLETE_REQUIRED'];

    /**
     * Builds the context.
     *
     * @param string $wwwroot site wwwroot (targets on this site become links)
     * @param array|null $recommendations Recommendation messages, null when Polku did not answer
     * @param array|null $profile GetLearnerProfileResponse, null when unknown
     * @param callable $str (identifier) => localised text
     * @return array
     */
    public static function build(string $wwwroot, ?array $recommendations, ?array $profile, callable $str): array {
        if ($recommendations === null) {
            return ['available' => false, 'items' => [], 'hasitems' => false, 'hasbalance' => false];
        }
        $canonical = \local_polku\event_id::canonical_instance($wwwroot);
        $scheme = strpos($wwwroot, '://') !== false ? substr($wwwroot, 0, strpos($wwwroot, '://')) : 'https';
        $items = [];
        foreach ($recommendations as $rec) {
            $kind = preg_replace('/^NUDGE_KIND_/', '', (string)($rec['kind'] ?? ''));
            $target = (string)($rec['targetId'] ?? '');
            $url = ($target !== '' && strpos($target, $canonical . '/') === 0) ? $scheme . '://' . $target : '';
            $items[] = [
                'id' => (string)($rec['recommendationId'] ?? ''),
                'title' => in_array($kind, self::KINDS, true) ? $str('kind:' . strtolower($kind)) : $str('kind:other'),
                'reason' => (string)($rec['text'] ?? ''),
                'url' => $url,
                'hasurl' => $url !== '',
            ];
        }
        $context = ['available' => true, 'items' => $items, 'hasitems' => (bool)$items, 'hasbalance' => false];
        if ($profile !== null && isset($profile['balance'])) {
            $balance = max(0.0, min(1.0, (float)$profile['balance']));
            $low = (float)($profile['bandLow'] ?? 0.3);
            $high = (float)($profile['bandHigh'] ?? 0.7);
            $context += [
                'balancepercent' => (int)round($balance * 100),
                'structuredpercent' => 100 - (int)round($balance * 100),
                'bandlow' => (int)round($low * 100),
                'bandhigh' => (int)round($high * 100),
                'inband' => $balance >= $low && $balance <= $high,
                'explanation' => (string)($profile['explanation'] ?? ''),
            ];
            $context['hasbalance'] = true;
        }
        return $context;
    }
}
