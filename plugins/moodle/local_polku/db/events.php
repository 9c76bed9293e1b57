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

/**
 * Observers of local_polku: one per event class Polku maps. Each only queues
 * the event in the outbox, in the transaction of the change (no network call).
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$observers = [
    ['eventname' => '\\core\\event\\user_enrolment_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\user_enrolment_updated', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\user_enrolment_deleted', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_facetoface\\event\\signup_success', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_facetoface\\event\\cancel_booking', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\course_completed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\course_module_completion_updated', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\user_graded', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\badge_awarded', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\tool_certificate\\event\\certificate_issued', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_customcert\\event\\issue_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\course_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\course_resources_list_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\course_module_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\course_module_instance_list_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\search_results_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\badge_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core_h5p\\event\\h5p_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_book\\event\\chapter_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_forum\\event\\discussion_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_glossary\\event\\entry_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_wiki\\event\\page_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_wiki\\event\\comments_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_lesson\\event\\content_page_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_lesson\\event\\question_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_bigbluebuttonbn\\event\\activity_management_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_bigbluebuttonbn\\event\\recording_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\message_sent', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\group_message_sent', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\message_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\comment_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\blog_entry_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\blog_entry_updated', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\note_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\note_updated', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_forum\\event\\discussion_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_forum\\event\\post_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_forum\\event\\post_updated', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_forum\\event\\discussion_subscription_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_forum\\event\\subscription_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_glossary\\event\\entry_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_glossary\\event\\entry_updated', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_wiki\\event\\page_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_wiki\\event\\page_updated', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_workshop\\event\\submission_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_workshop\\event\\submission_updated', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_workshop\\event\\submission_assessed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_data\\event\\record_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_data\\event\\record_updated', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_bigbluebuttonbn\\event\\meeting_joined', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_bigbluebuttonbn\\event\\live_session_event', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_assign\\event\\assessable_submitted', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_assign\\event\\submission_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_assign\\event\\submission_updated', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_assign\\event\\submission_graded', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_assign\\event\\feedback_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_assign\\event\\submission_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_assign\\event\\submission_status_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_quiz\\event\\attempt_started', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_quiz\\event\\attempt_submitted', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_quiz\\event\\attempt_viewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_quiz\\event\\attempt_reviewed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_lesson\\event\\lesson_started', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_lesson\\event\\lesson_restarted', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_lesson\\event\\lesson_resumed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_lesson\\event\\lesson_ended', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_lesson\\event\\question_answered', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_lesson\\event\\essay_assessed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_scorm\\event\\sco_launched', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_scorm\\event\\status_submitted', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_scorm\\event\\scoreraw_submitted', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_choice\\event\\answer_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_feedback\\event\\response_submitted', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_survey\\event\\response_submitted', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_questionnaire\\event\\attempt_submitted', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\mod_questionnaire\\event\\attempt_resumed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\competency_evidence_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\competency_user_competency_rated', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\competency_user_competency_rated_in_course', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\competency_user_competency_rated_in_plan', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\competency_user_evidence_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\competency_user_evidence_updated', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\competency_plan_created', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\competency_plan_updated', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
    ['eventname' => '\\core\\event\\competency_plan_completed', 'callback' => '\\local_polku\\observer::queue', 'internal' => true],
];
