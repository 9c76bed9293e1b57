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
 * The Moodle events Polku's Moodle normaliser maps, and which of them an
 * administrator has switched on.
 *
 * db/events.php registers one observer per name in {@see self::ALL}; the
 * observer queues an event only when its class, or a parent class listed
 * here, is enabled in the "events" setting. Pure; no Moodle API.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class supported_events {
    /**
     * Observed event classes (without the leading backslash), grouped for the
     * settings page. Abstract parents (core\event\course_module_viewed,
     * core\event\comment_created, mod_assign\event\submission_created) stand
     * for every module's subclass.
     */
    public const ALL = [
        'enrolment' => [
            'core\event\user_enrolment_created',
            'core\event\user_enrolment_updated',
            'core\event\user_enrolment_deleted',
            'mod_facetoface\event\signup_success',
            'mod_facetoface\event\cancel_booking',
        ],
        'completion' => [
            'core\event\course_completed',
            'core\event\course_module_completion_updated',
            'core\event\user_graded',
            'core\event\badge_awarded',
            'tool_certificate\event\certificate_issued',
            'mod_customcert\event\issue_created',
        ],
        'navigation' => [
            'core\event\course_viewed',
            'core\event\course_resources_list_viewed',
            'core\event\course_module_viewed',
            'core\event\course_module_instance_list_viewed',
            'core\event\search_results_viewed',
            'core\event\badge_viewed',
            'core_h5p\event\h5p_viewed',
            'mod_book\event\chapter_viewed',
            'mod_forum\event\discussion_viewed',
            'mod_glossary\event\entry_viewed',
            'mod_wiki\event\page_viewed',
            'mod_wiki\event\comments_viewed',
            'mod_lesson\event\content_page_viewed',
            'mod_lesson\event\question_viewed',
            'mod_bigbluebuttonbn\event\activity_management_viewed',
            'mod_bigbluebuttonbn\event\recording_viewed',
        ],
        'social' => [
            'core\event\message_sent',
            'core\event\group_message_sent',
            'core\event\message_viewed',
            'core\event\comment_created',
            'core\event\blog_entry_created',
            'core\event\blog_entry_updated',
            'core\event\note_created',
            'core\event\note_updated',
            'mod_forum\event\discussion_created',
            'mod_forum\event\post_created',
            'mod_forum\event\post_updated',
            'mod_forum\event\discussion_subscription_created',
            'mod_forum\event\subscription_created',
            'mod_glossary\event\entry_created',
            'mod_glossary\event\entry_updated',
            'mod_wiki\event\page_created',
            'mod_wiki\event\page_updated',
            'mod_workshop\event\submission_created',
            'mod_workshop\event\submission_updated',
            'mod_workshop\event\submission_assessed',
            'mod_data\event\record_created',
            'mod_data\event\record_updated',
            'mod_bigbluebuttonbn\event\meeting_joined',
            'mod_bigbluebuttonbn\event\live_session_event',
        ],
        'assessment' => [
            'mod_assign\event\assessable_submitted',
            'mod_assign\event\submission_created',
            'mod_assign\event\submission_updated',
            'mod_assign\event\submission_graded',
            'mod_assign\event\feedback_viewed',
            'mod_assign\event\submission_viewed',
            'mod_assign\event\submission_status_viewed',
            'mod_quiz\event\attempt_started',
            'mod_quiz\event\attempt_submitted',
            'mod_quiz\event\attempt_viewed',
            'mod_quiz\event\attempt_reviewed',
            'mod_lesson\event\lesson_started',
            'mod_lesson\event\lesson_restarted',
            'mod_lesson\event\lesson_resumed',
            'mod_lesson\event\lesson_ended',
            'mod_lesson\event\question_answered',
            'mod_lesson\event\essay_assessed',
            'mod_scorm\event\sco_launched',
            'mod_scorm\event\status_submitted',
            'mod_scorm\event\scoreraw_submitted',
            'mod_choice\event\answer_created',
            'mod_feedback\event\response_submitted',
            'mod_survey\event\response_submitted',
            'mod_questionnaire\event\attempt_submitted',
            'mod_questionnaire\event\attempt_resumed',
        ],
        'competency' => [
            'core\event\competency_evidence_created',
            'core\event\competency_user_competency_rated',
            'core\event\competency_user_competency_rated_in_course',
            'core\event\competency_user_competency_rated_in_plan',
            'core\event\competency_user_evidence_created',
            'core\event\competency_user_evidence_updated',
            'core\event\competency_plan_created',
            'core\event\competency_plan_updated',
            'core\event\competency_plan_completed',
        ],
    ];

    /** Parents whose subclasses live in every activity module (mod_x or a subplugin). */
    private const MODULE_PARENTS = [
        'course_module_viewed' => 'core\event\course_module_viewed',
        'course_module_instance_list_viewed' => 'core\event\course_module_instance_list_viewed',
        'comment_created' => 'core\event\comment_created',
    ];

    /**
     * Every observed class name, flat, without the leading backslash.
     *
     * @return string[]
     */
    public static function names(): array {
        return array_merge(...array_values(self::ALL));
    }

    /**
     * The setting key of a class name (the settings API wants plain keys).
     *
     * @param string $name class name
     * @return string
     */
    public static function key(string $name): string {
        return str_replace('\\', '_', ltrim($name, '\\'));
    }

    /**
     * The observed class an event name falls under: the name itself, or the
     * abstract parent a module's event extends. Null when Polku does not map it.
     *
     * @param string $eventname e.g. "\mod_page\event\course_module_viewed"
     * @return string|null
     */
    public static function observed_as(string $eventname): ?string {
        $name = ltrim($eventname, '\\');
        if (in_array($name, self::names(), true)) {
            return $name;
        }
        $parts = explode('\\', $name);
        if (count($parts) !== 3 || $parts[1] !== 'event') {
            return null;
        }
        [$component, , $short] = $parts;
        $module = strpos($component, 'mod_') === 0;
        if ($module && isset(self::MODULE_PARENTS[$short])) {
            return self::MODULE_PARENTS[$short];
        }
        if ($short === 'comment_created') {
            return self::MODULE_PARENTS['comment_created'];
        }
        if (strpos($component, 'assignsubmission_') === 0 &&
                ($short === 'submission_created' || $short === 'submission_updated')) {
            return 'mod_assign\event\\' . $short;
        }
        return null;
    }

    /**
     * Whether an event should be queued, given the enabled setting.
     *
     * @param string $eventname the event's name
     * @param string|null $enabled comma-separated keys from the "events"
     *     setting; null means the default (all)
     * @return bool
     */
    public static function is_enabled(string $eventname, ?string $enabled): bool {
        $observed = self::observed_as($eventname);
        if ($observed === null) {
            return false;
        }
        if ($enabled === null) {
            return true;
        }
        $keys = array_filter(array_map('trim', explode(',', $enabled)), 'strlen');
        return in_array(self::key($observed), $keys, true);
    }
}
