"""Synthetic review sets with planted patterns, for tests, benchmarks and the shipped sample.

:func:`generate` makes a review set of any size that reads like the coded output of English
serious case reviews done with the SCIE Learning Together model, and returns *what it planted*
(:class:`Plants`), so a test can check what an analysis finds against the truth. Everything is
invented: places, children, episodes and findings. No real person's data is used.

The generative model, per key practice episode (KPE) and contributory factor, is logistic::

    log-odds = base rate of the factor
             + recurring shift                      (recurring factors, every episode)
             + regional shift   if the review is in the factor's region
             + trend slope * (year - middle year)   (rising and falling factors)
             + cluster shift    if the episode's latent theme is switched on
             + sequence shift   if the review's previous episode carries the factor's trigger

Each shift is multiplied by ``effect``, so ``effect=0`` gives a set with no plant at all. Every
factor of the coding frame has exactly one role (see :class:`Plants`), so the truth is unambiguous.
The whole model is vectorised with numpy over an episodes x factors matrix.

Run ``python -m sce_analysis.synthetic OUT_FOLDER`` to write a set (by default the shipped sample,
``data/sample``) with a README that says what is planted in it.
"""

from __future__ import annotations

import argparse
import math
import operator
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError, SceAnalysisError
from ..reviewsets.contract import SCIE_CATEGORIES
from ..reviewsets.read import from_frames
from ..reviewsets.reviewset import ReviewSet

__all__ = ["SAMPLE_ARGS", "Plants", "SyntheticSet", "generate", "main", "sample"]

# ======================================================================================
# The coding frame
# ======================================================================================

_FAMILY = "Aspects of the family"
_STAFF = "Personal aspects of the staff member"
_ROLE = "Aspects of the role"
_WORK = "Conditions of work"
_TEAM = "Own team"
_PROCEDURES = "Local multi-agency procedures"
_RESOURCES = "Local resources and commissioning"
_MANAGEMENT = "Local management and performance"
_POLICY = "National policy and guidance"
_NATIONAL_RESOURCES = "National resources and workforce"
_NATIONAL_SYSTEMS = "National systems"


@dataclass(frozen=True)
class _Factor:
    """One code of the synthetic coding frame, with what the generator needs to use it."""

    code: str
    label: str
    level: str
    factor_type: str
    category: str
    description: str
    base: float  # probability that the factor is coded on an episode, before any plant
    finding: str = ""  # title of a finding that this factor drives (problematic factors)
    question: str = ""  # issue for the board that goes with that finding
    parent: str = ""
    good: bool = False  # a factor that supported good practice (coded with polarity "good")


# fmt: off
_FACTORS: tuple[_Factor, ...] = (
    # ---------------------------------------------------------------- frontline: the family
    _Factor("fam_hostile", "Hostile or intimidating parent", "frontline", _FAMILY, "family_professional",
            "A parent or carer was aggressive, threatening or intimidating towards professionals.", 0.05,
            "Practitioners adapt their practice to avoid a hostile parent, so the child is seen less often "
            "and less is asked",
            "How does the board know that staff working with hostile families are supported to keep the "
            "child in focus?"),
    _Factor("fam_disguised", "Disguised compliance by parents", "frontline", _FAMILY, "family_professional",
            "Parents appeared to co-operate with the plan while the child's circumstances did not change.",
            0.015,
            "Professionals are not confident to challenge a family's account, so disguised compliance goes "
            "undetected",
            "How can the board be assured that plans measure change in the child's life rather than the "
            "parents' attendance?"),
    _Factor("fam_evasive", "Family avoids contact and misses appointments", "frontline", _FAMILY,
            "family_professional",
            "The family cancelled visits, was not at home, or did not bring the child to appointments.", 0.06,
            "Missed appointments are treated as a parent's choice rather than a sign that the child is not "
            "being brought",
            "Do agencies across the partnership use a shared 'was not brought' approach, and how would the "
            "board know?"),
    _Factor("fam_substance", "Parental drug or alcohol misuse", "frontline", _FAMILY,
            "multi_agency_longer_term", "A parent's use of drugs or alcohol affected their care of the child.",
            0.04,
            "The impact of parental substance misuse on the child is assessed by each agency alone and never "
            "brought together",
            "How does the board know that adult drug and alcohol services consider the children of the "
            "adults they treat?"),
    _Factor("fam_dv", "Domestic abuse in the household", "frontline", _FAMILY, "multi_agency_incidents",
            "Domestic abuse between adults in the household, witnessed or experienced by the child.", 0.04,
            "Each domestic abuse incident is responded to on its own, so the cumulative harm to the child is "
            "missed",
            "How can the board be assured that repeat domestic abuse incidents trigger a review of the "
            "whole history?"),
    _Factor("fam_mental_health", "Parental mental health problems", "frontline", _FAMILY,
            "multi_agency_longer_term", "A parent's mental ill health affected their capacity to care for the "
            "child.", 0.035,
            "Adult mental health and children's services hold different parts of the picture and do not "
            "share them",
            "What does the board want to do to connect adult mental health services with children's "
            "safeguarding?"),
    _Factor("fam_language", "Language barrier and no interpreter used", "frontline", _FAMILY,
            "family_professional",
            "Professionals relied on family members or on limited English instead of a professional "
            "interpreter.", 0.01,
            "Family members are used as interpreters, so a parent or child cannot speak freely",
            "Is the board satisfied that professional interpreters are used for safeguarding conversations?"),
    _Factor("fam_child_unseen", "Child not seen or heard", "frontline", _FAMILY, "family_professional",
            "The child was not seen alone, or their wishes, feelings and daily experience were not sought.",
            0.05,
            "The voice of the child is lost when professionals' contact is mainly with the parents",
            "How does the board know that children are seen alone and that what they say shapes the plan?"),
    _Factor("fam_transient", "Family moves often between areas", "frontline", _FAMILY,
            "multi_agency_longer_term",
            "The family moved home or area repeatedly, so services and records had to follow them.", 0.015,
            "When a family moves, records and concerns do not follow the child to the new area",
            "How can the board be assured that transfer arrangements work when a family moves in or out of "
            "the area?"),
    _Factor("fam_hidden_men", "Father or new partner unknown to services", "frontline", _FAMILY,
            "family_professional",
            "Men in the child's life were not known about, not assessed or not engaged by professionals.",
            0.02,
            "Fathers and new partners remain invisible to professionals, so the risks and strengths they "
            "bring are not assessed",
            "What is the board doing to make sure that men in a child's life are identified and assessed?"),
    _Factor("fam_engaged", "Parent engaged openly with services", "frontline", _FAMILY, "family_professional",
            "A parent was honest with professionals and worked with the plan.", 0.12, good=True),
    # ---------------------------------------------------------------- frontline: the staff member
    _Factor("prac_optimism", "Over-optimism about the parents' capacity to change", "frontline", _STAFF,
            "human_reasoning",
            "Professionals gave more weight to signs of progress than to evidence that nothing had changed.",
            0.015,
            "The 'rule of optimism' leads professionals to accept small improvements as evidence that the "
            "child is safe",
            "How does the board help practitioners test optimistic judgements about parents' capacity to "
            "change?"),
    _Factor("prac_fixed_view", "Fixed view of the family not revised", "frontline", _STAFF, "human_reasoning",
            "An early view of the family persisted and new information was fitted to it (confirmation bias).",
            0.015,
            "An early view of a family becomes fixed, and new information is read to fit it",
            "What opportunities do practitioners have to step back and revisit their view of a family?"),
    _Factor("prac_adult_focus", "Focus on the adult rather than the child", "frontline", _STAFF,
            "human_reasoning",
            "The professional's attention was on a parent's needs and the child's experience was lost.", 0.025,
            "Professionals working with adults do not routinely ask what a parent's difficulties mean for "
            "the child",
            "How can the board be assured that services for adults 'think family'?"),
    _Factor("prac_neglect_knowledge", "Limited knowledge of neglect and its thresholds", "frontline", _STAFF,
            "human_reasoning",
            "The practitioner did not recognise the signs of neglect or when it should lead to a referral.",
            0.015,
            "Neglect is recognised late because practitioners are unsure what level of concern should lead "
            "to action",
            "Is the board confident that practitioners across agencies recognise neglect and know when to "
            "act?"),
    _Factor("prac_normalise", "Poor home conditions normalised", "frontline", _STAFF, "human_reasoning",
            "Repeated exposure to poor home conditions led professionals to see them as normal for the family.",
            0.015,
            "Professionals become used to poor conditions in the home, so chronic neglect stops being seen",
            "How does the board know that agencies notice when neglect has become 'normal' for a family?"),
    _Factor("prac_fear", "Practitioner anxious about confronting the family", "frontline", _STAFF,
            "family_professional",
            "Worry about the family's reaction made the practitioner reluctant to raise concerns.", 0.012,
            "Anxiety about a family's reaction leads practitioners to soften or delay difficult conversations",
            "What support do staff have when they are frightened of the families they work with?"),
    _Factor("prac_inexperienced", "Inexperienced worker holding a complex case", "frontline", _STAFF,
            "human_management",
            "A newly qualified or inexperienced practitioner held a case beyond their experience.", 0.015,
            "Complex cases are allocated to inexperienced staff because there is no one else to hold them",
            "How does the board know that case allocation matches complexity to experience?"),
    _Factor("prac_curiosity", "Curious practitioner who kept the child in focus", "frontline", _STAFF,
            "human_reasoning",
            "The practitioner asked questions, checked what they were told and kept the child at the centre.",
            0.16, good=True),
    # ---------------------------------------------------------------- frontline: the role
    _Factor("role_infrequent", "Contact too infrequent to see change", "frontline", _ROLE,
            "multi_agency_longer_term",
            "The frequency of contact set by the role was too low to see a pattern or a change.", 0.035,
            "Contact is set by service timetables rather than by the child's needs, so deterioration is not "
            "seen",
            "How does the board know that the frequency of contact reflects risk rather than capacity?"),
    _Factor("role_announced", "Home visits always announced", "frontline", _ROLE, "family_professional",
            "Every home visit was arranged in advance, so professionals saw the home as the family prepared it.",
            0.015,
            "Visits are always announced, so professionals see the home and the child as the family chooses",
            "Does the board know how often unannounced visits are used when there are concerns about "
            "neglect?"),
    _Factor("role_single_agency", "Role seen as single-agency", "frontline", _ROLE, "multi_agency_longer_term",
            "The practitioner saw sharing concerns with other agencies as outside their role.", 0.015,
            "Practitioners see their role as their own agency's task, and sharing concerns as someone else's "
            "job",
            "How does the board promote a shared responsibility for children across agencies?"),
    _Factor("role_clinic_based", "Contact only at the clinic or office", "frontline", _ROLE,
            "family_professional", "Contact took place at the clinic or office, never in the child's home.",
            0.01,
            "Services see children only in clinics and offices, so the home environment is unknown",
            "Is the board aware of how little contact some services have with children in their homes?"),
    _Factor("role_continuity", "Continuity of the same worker over time", "frontline", _ROLE,
            "multi_agency_longer_term", "The same practitioner worked with the family over a long period.",
            0.12, good=True),
    # ---------------------------------------------------------------- frontline: conditions of work
    _Factor("work_caseload", "High caseloads", "frontline", _WORK, "human_management",
            "The practitioner's caseload was too high to allow the time the case needed.", 0.05,
            "High caseloads leave practitioners time only to react, not to reflect on a case as a whole",
            "What does the board know about caseloads across the partnership, and what is it doing about "
            "them?"),
    _Factor("work_duty_volume", "Duty team overwhelmed by the volume of contacts", "frontline", _WORK,
            "human_management",
            "The front door or duty team had more contacts than it could screen properly.", 0.012,
            "The volume of contacts at the front door means referrals are screened on paper, without "
            "checking history",
            "Is the board satisfied that the front door has the capacity to screen referrals properly?",
            parent="work_caseload"),
    _Factor("work_turnover", "Staff turnover and reliance on agency staff", "frontline", _WORK,
            "human_management",
            "Frequent changes of staff and the use of temporary agency staff disrupted the work.", 0.015,
            "Staff turnover means no professional holds the history of a family",
            "How does the board monitor the effect of staff turnover on children's cases?"),
    _Factor("work_handover", "Poor handover when the case changed worker", "frontline", _WORK,
            "multi_agency_longer_term",
            "When the case moved to a new worker, the history and the concerns were not handed over.", 0.012,
            "Cases change hands without a handover, so each new worker starts again",
            "What standard of handover does the board expect when a case changes worker or team?",
            parent="work_turnover"),
    _Factor("work_it_records", "IT systems that do not share records", "frontline", _WORK, "human_tool",
            "Agencies' record systems could not see each other's information about the child.", 0.03,
            "Separate record systems mean no agency can see the whole picture of the child",
            "What is the board doing to make relevant records visible across agencies?"),
    _Factor("work_it_alerts", "Records system does not flag previous concerns", "frontline", _WORK,
            "human_tool",
            "The record system did not alert the practitioner to earlier safeguarding concerns.", 0.012,
            "Records systems do not alert professionals to earlier concerns, so each contact is treated as "
            "new",
            "How can the board be assured that earlier concerns are visible to the next professional?",
            parent="work_it_records"),
    _Factor("work_assessment_form", "Assessment form does not prompt about men in the household",
            "frontline", _WORK, "human_tool",
            "The assessment template did not ask about fathers, partners or other adults in the home.", 0.01,
            "Assessment forms do not prompt professionals to ask about every adult in the household",
            "Will the board review its assessment templates so they ask about every adult in the child's "
            "life?"),
    _Factor("work_chronology", "No single multi-agency chronology", "frontline", _WORK, "human_tool",
            "Each agency kept its own chronology and none brought the events together.", 0.015,
            "Without a shared chronology, patterns of concern across agencies are not seen",
            "Does the board want agencies to keep a shared chronology for children on plans?"),
    # ---------------------------------------------------------------- frontline: own team
    _Factor("team_supervision", "Supervision focused on tasks, not reflective", "frontline", _TEAM,
            "human_management",
            "Supervision checked tasks and timescales but gave no space to reflect on the case.", 0.015,
            "Supervision is dominated by case management, leaving no space to reflect on what is happening "
            "to the child",
            "How does the board know that supervision in all agencies includes reflection?"),
    _Factor("team_no_challenge", "No culture of challenge within the team", "frontline", _TEAM,
            "human_management",
            "Colleagues and managers did not question the worker's judgement, and the worker did not "
            "question theirs.", 0.015,
            "Professional judgements go unchallenged because challenge is not part of the team culture",
            "What is the board doing to make professional challenge normal and safe?"),
    _Factor("team_deference", "Deference to the professional with higher status", "frontline", _TEAM,
            "multi_agency_longer_term",
            "Practitioners deferred to the view of a doctor, a consultant or another senior professional.",
            0.01,
            "Practitioners defer to professionals of higher status, even when their own observations differ",
            "How does the board help practitioners raise a different view with senior professionals?"),
    _Factor("team_advice", "Specialist safeguarding advice not sought", "frontline", _TEAM,
            "human_management", "The practitioner did not consult the named or designated safeguarding lead.",
            0.015,
            "Specialist safeguarding advice is sought late or not at all, because it is not built into the "
            "work",
            "Is the board assured that safeguarding advice is easy to get when it is needed?"),
    _Factor("team_reflective", "Reflective supervision that tested the plan", "frontline", _TEAM,
            "human_management", "Supervision gave time to step back, question the plan and change it.", 0.14,
            good=True),
    # ---------------------------------------------------------------- local strategic
    _Factor("ls_thresholds", "Thresholds for referral unclear", "local_strategic", _PROCEDURES,
            "multi_agency_incidents",
            "Professionals and the front door understood the local threshold document differently.", 0.03,
            "Agencies interpret the threshold document differently, so referrals are not accepted when "
            "referrers expect them to be",
            "How does the board know that thresholds are understood in the same way across agencies?"),
    _Factor("ls_referral_feedback", "No feedback to referrers", "local_strategic", _PROCEDURES,
            "multi_agency_incidents",
            "Referrers were not told what happened to their referral and did not ask.", 0.015,
            "Referrers are not told the outcome of a referral, so they cannot challenge a decision",
            "Does the board want feedback to referrers to be standard, and how would it know it happens?"),
    _Factor("ls_escalation", "Escalation procedure not used", "local_strategic", _PROCEDURES,
            "multi_agency_longer_term",
            "Professionals who disagreed with a decision did not use, or did not know, the escalation "
            "procedure.", 0.03,
            "The escalation procedure is rarely used, so professional disagreements are left unresolved",
            "How does the board know whether its escalation procedure is used, and what happens when it is?"),
    _Factor("ls_info_sharing", "Information not shared between agencies", "local_strategic", _PROCEDURES,
            "multi_agency_longer_term",
            "Information-sharing protocols were unclear and worries about consent stopped information being "
            "shared.", 0.05,
            "Uncertainty about consent and data protection stops professionals sharing information about "
            "risk",
            "How can the board be assured that practitioners know they can share information to protect a "
            "child?"),
    _Factor("ls_meetings_absent", "Multi-agency meetings without key agencies", "local_strategic", _PROCEDURES,
            "multi_agency_longer_term",
            "Conferences and core groups went ahead without the GP, adult services or other agencies that "
            "knew the family.", 0.02,
            "Multi-agency meetings go ahead without the agencies that know the adults, so plans miss key "
            "risks",
            "What does the board know about which agencies attend conferences and core groups?"),
    _Factor("ls_strategy_discussion", "Strategy discussions held by police and social care only",
            "local_strategic", _PROCEDURES, "multi_agency_incidents",
            "Strategy discussions were held by telephone between police and children's social care, "
            "without health.", 0.02,
            "Strategy discussions are held without health professionals, so medical information is missing "
            "from decisions",
            "How can the board be assured that health takes part in every strategy discussion?"),
    _Factor("ls_out_of_hours", "Out-of-hours service cannot see daytime records", "local_strategic",
            _PROCEDURES, "multi_agency_incidents",
            "The emergency duty team made decisions without access to the daytime case records.", 0.01,
            "Out-of-hours decisions are made without the history held by daytime services",
            "Is the board satisfied that out-of-hours services can see what daytime services know?"),
    _Factor("ls_adult_child_link", "Adult services do not ask about children", "local_strategic", _PROCEDURES,
            "multi_agency_longer_term",
            "Adult services' procedures did not ask whether the adult cared for or lived with children.", 0.015,
            "Adult services' procedures do not ask whether their clients care for children",
            "Will the board ask adult services to record and consider the children of the adults they see?"),
    _Factor("ls_neglect_tool", "No agreed neglect assessment tool", "local_strategic", _PROCEDURES, "human_tool",
            "The partnership had no shared tool for assessing neglect, so each agency judged it differently.",
            0.015,
            "Without a shared neglect tool, agencies measure neglect differently and cannot show change",
            "Does the board want a single neglect assessment tool to be used across the partnership?"),
    _Factor("ls_commissioning", "Gap in locally commissioned services", "local_strategic", _RESOURCES,
            "human_management",
            "No local service was commissioned for the family's need, or it had a long waiting list.", 0.02,
            "Gaps in commissioned services leave families referred to services that do not exist",
            "What does the board know about the gaps between children's needs and the services "
            "commissioned?"),
    _Factor("ls_performance", "Performance indicators drive timescales over quality", "local_strategic",
            _MANAGEMENT, "human_management",
            "Managers' attention to timescales and targets displaced attention to the quality of the work.",
            0.015,
            "Performance indicators reward timeliness, so the quality of assessments receives less attention",
            "Do the board's performance measures tell it anything about the quality of practice?"),
    _Factor("ls_training", "Multi-agency training does not reach frontline staff", "local_strategic",
            _MANAGEMENT, "human_management",
            "The practitioners involved had not had the partnership's multi-agency safeguarding training.",
            0.01,
            "Multi-agency training does not reach the practitioners who most need it",
            "How does the board know who attends its multi-agency training, and who does not?"),
    _Factor("ls_named_lead", "Named safeguarding professional available for advice", "local_strategic",
            _MANAGEMENT, "human_management",
            "A named or designated safeguarding professional was available and gave timely advice.", 0.12,
            good=True),
    # ---------------------------------------------------------------- national
    _Factor("nat_guidance", "Statutory guidance ambiguous about who leads", "national", _POLICY,
            "multi_agency_longer_term",
            "National guidance left it unclear which agency should lead when concerns fell between services.",
            0.008,
            "National guidance leaves unclear which agency leads when concerns fall between services",
            "Will the board raise with the national panel the ambiguity in guidance about lead agencies?"),
    _Factor("nat_data_sharing", "National limits on data sharing", "national", _NATIONAL_SYSTEMS, "human_tool",
            "National systems had no common child identifier, so records could not be matched across "
            "agencies.", 0.01,
            "Without a common child identifier, records held by different agencies cannot be matched",
            "What can the board do locally while national data-sharing limits remain?"),
    _Factor("nat_early_help_cuts", "Funding cuts to early help services", "national", _NATIONAL_RESOURCES,
            "human_management",
            "Reductions in national funding had removed or shrunk the early help services available.", 0.03,
            "Reductions in early help mean families are referred only when problems have become serious",
            "How is the board assessing the effect of reduced early help on children's safety?"),
    _Factor("nat_workforce", "National shortage of social workers and health visitors", "national",
            _NATIONAL_RESOURCES, "human_management",
            "National shortages left posts vacant or filled by temporary staff.", 0.03,
            "National workforce shortages leave posts empty, and the cases in them are held by whoever is "
            "available",
            "What is the board's plan for the services where posts cannot be filled?"),
    _Factor("nat_mental_health_access", "Long waits for mental health services", "national",
            _NATIONAL_RESOURCES, "multi_agency_longer_term",
            "Thresholds and waiting times for child and adult mental health services delayed help.", 0.012,
            "Long waits for mental health services leave other professionals holding risk they cannot manage",
            "Is the board aware of how waiting times for mental health services affect children at risk?"),
    _Factor("nat_court_delay", "Delays in family court proceedings", "national", _POLICY,
            "multi_agency_longer_term",
            "Care proceedings took far longer than the statutory 26 weeks.", 0.008,
            "Delays in care proceedings leave children in uncertain arrangements for long periods",
            "What does the board know about the effect of court delays on children in proceedings?"),
)
# fmt: on

_CODES: tuple[str, ...] = tuple(f.code for f in _FACTORS)
_FACTOR_OF: dict[str, _Factor] = {f.code: f for f in _FACTORS}

# The plants: each code has exactly one role. Codes with no plant and no good polarity are null.
_RECURRING = ("ls_info_sharing", "fam_child_unseen", "work_caseload")
_CLUSTERS = (
    ("fam_disguised", "prac_optimism", "prac_fixed_view", "role_announced"),
    ("prac_normalise", "prac_neglect_knowledge", "ls_neglect_tool"),
    ("work_turnover", "team_supervision", "prac_inexperienced"),
)
_CLUSTER_THEMES = (
    "Disguised compliance accepted at face value",
    "Neglect normalised and not recognised",
    "An unstable, unsupported workforce",
)
_REGIONAL = ("ls_strategy_discussion", "ls_commissioning")
_RISING = ("nat_early_help_cuts", "nat_workforce")
_FALLING = ("ls_thresholds", "work_it_records")
_SEQUENCES = (("fam_evasive", "ls_escalation"), ("fam_hostile", "role_infrequent"))

#: Log-odds shifts of the plants at ``effect=1`` (each is multiplied by ``effect``).
_STRENGTH = {
    "recurring": 1.5,  # added to a recurring factor's base log-odds on every episode
    "cluster": 4.3,  # added to every member of a theme when the theme is on for the episode
    "regional": 3.0,  # added in the factor's region
    "trend": 5.0,  # change in log-odds from the first to the last year (rising +, falling -)
    "sequence": 3.0,  # added to b on an episode whose predecessor in the review carries a
}
#: Probability that a cluster's latent theme is switched on for an episode.
_CLUSTER_RATE = 0.11
#: A good-practice factor's probability is its base rate times the first multiplier on an episode with no
#: problematic factor, and times the second on the other episodes.
_GOOD_WHEN_CLEAN, _GOOD_WHEN_NOT = 1.0, 0.18

# ======================================================================================
# Places, agencies and episode templates
# ======================================================================================

_AREA_NAMES = (
    "Kelmscote", "Brackenfield", "Harrowmere", "Elderbridge", "Greymoor", "Hollinsford", "Kestrelbury",
    "Larkhithe", "Marrowdale", "Netherwick", "Oakhallow", "Pellingford", "Ravensholt", "Saltmere",
    "Tallowfield", "Wendlecombe",
)  # fmt: skip
_REGION_NAMES = ("North West", "North East and Yorkshire", "Midlands", "London and South East", "South West")
_LETTERS = tuple("ABCDEFGHJKLMNRSTUVWY")  # no I, O or P; Q, X and Z read oddly as names

_AGENCIES = (
    "Children's social care", "Health visiting", "GP practice", "Midwifery", "Police", "School",
    "Adult mental health services", "Drug and alcohol service", "Housing", "Probation", "Emergency department",
    "CAMHS", "Early help",
)  # fmt: skip
_AGENCY_INDEX = {name: i for i, name in enumerate(_AGENCIES)}


@dataclass(frozen=True)
class _EpisodeType:
    stem: str
    primary: str
    others: tuple[str, ...]
    event: str
    bad: str
    good: str
    codes: tuple[str, ...]  # factors that make this kind of episode more likely to be the one described


_EPISODE_TYPES: tuple[_EpisodeType, ...] = (
    _EpisodeType(
        "Health visitor's home visit",
        "Health visiting",
        ("Children's social care", "GP practice", "Early help"),
        "The health visitor made a routine home visit and saw the home conditions and the parents' care of the child.",
        "concerns about the home not shared with children's social care",
        "concerns about the home shared promptly with children's social care",
        ("prac_normalise", "prac_neglect_knowledge", "role_announced", "role_continuity"),
    ),
    _EpisodeType(
        "Referral to children's social care",
        "Children's social care",
        ("School", "Health visiting", "Police"),
        "A professional referred concerns about the child to the children's social care front door.",
        "referral closed as below the threshold without an assessment",
        "referral accepted and a child and family assessment started",
        ("ls_thresholds", "ls_referral_feedback", "work_duty_volume"),
    ),
    _EpisodeType(
        "Police attendance at a domestic abuse incident",
        "Police",
        ("Children's social care", "Health visiting", "School"),
        "Police attended a domestic abuse incident at the family home while the children were in the house.",
        "risk graded as standard and not shared with health or school",
        "children seen and a notification sent to partners the same day",
        ("fam_dv", "ls_out_of_hours"),
    ),
    _EpisodeType(
        "Strategy discussion",
        "Children's social care",
        ("Police", "Health visiting", "School"),
        "A strategy discussion was held after new concerns about the child.",
        "held by telephone between police and social care only",
        "all agencies that knew the family took part and shared what they knew",
        ("ls_strategy_discussion", "ls_named_lead"),
    ),
    _EpisodeType(
        "Child and family assessment",
        "Children's social care",
        ("Health visiting", "School", "GP practice"),
        "A social worker completed a child and family assessment.",
        "assessment relied on the parents' account and did not include the father",
        "assessment included the child's own account and the father's role",
        ("fam_disguised", "prac_fixed_view", "work_assessment_form", "fam_hidden_men", "prac_curiosity"),
    ),
    _EpisodeType(
        "Initial child protection conference",
        "Children's social care",
        ("Police", "Health visiting", "School", "GP practice"),
        "An initial child protection conference considered whether the child needed a child protection plan.",
        "GP and adult services not invited and no reports from them",
        "plan agreed with clear outcomes for the child and timescales",
        ("ls_meetings_absent", "ls_adult_child_link"),
    ),
    _EpisodeType(
        "Core group meeting",
        "Children's social care",
        ("School", "Health visiting", "Early help"),
        "The core group met to review progress on the child protection plan.",
        "actions reported as done without checking what had changed for the child",
        "lack of progress recognised and escalated to a review conference",
        ("fam_disguised", "prac_optimism", "ls_escalation", "fam_engaged"),
    ),
    _EpisodeType(
        "GP appointment for the mother",
        "GP practice",
        ("Adult mental health services", "Health visiting"),
        "The mother saw her GP about low mood and her medication.",
        "impact on the children of the mother's health not considered",
        "GP asked about the children and informed the health visitor",
        ("prac_adult_focus", "fam_mental_health"),
    ),
    _EpisodeType(
        "Antenatal booking and care",
        "Midwifery",
        ("GP practice", "Health visiting", "Children's social care"),
        "The midwife booked the mother for antenatal care and took her social history.",
        "earlier children's social care involvement not known to the midwife",
        "vulnerabilities identified and a pre-birth referral made",
        ("work_it_records", "work_it_alerts"),
    ),
    _EpisodeType(
        "School attendance concerns",
        "School",
        ("Early help", "Children's social care"),
        "The school was concerned about the child's poor attendance and presentation.",
        "concerns managed within school and not escalated",
        "school made an early help referral and followed it up",
        ("fam_evasive", "role_single_agency", "ls_escalation"),
    ),
    _EpisodeType(
        "Missed health appointments",
        "Health visiting",
        ("GP practice", "Midwifery"),
        "The child was not brought to several health appointments.",
        "missed appointments treated as the parents' choice",
        "'was not brought' procedure followed and concerns shared",
        ("fam_evasive", "role_infrequent", "role_clinic_based"),
    ),
    _EpisodeType(
        "Attendance at the emergency department",
        "Emergency department",
        ("GP practice", "Health visiting", "Police"),
        "The child was brought to the emergency department with an injury.",
        "explanation accepted without checking for earlier attendances",
        "injury discussed with the safeguarding team before discharge",
        ("work_it_alerts", "nat_data_sharing", "team_deference", "ls_named_lead"),
    ),
    _EpisodeType(
        "Adult mental health assessment of a parent",
        "Adult mental health services",
        ("GP practice", "Children's social care"),
        "Adult mental health services assessed a parent after a crisis.",
        "the parent's care of the children not explored",
        "children considered in the care plan and social care informed",
        ("prac_adult_focus", "ls_adult_child_link", "nat_mental_health_access", "fam_mental_health"),
    ),
    _EpisodeType(
        "Drug and alcohol service review",
        "Drug and alcohol service",
        ("Probation", "Children's social care"),
        "The drug and alcohol service reviewed a parent's treatment.",
        "positive test results not shared with the social worker",
        "test results shared with the core group",
        ("fam_substance", "ls_info_sharing"),
    ),
    _EpisodeType(
        "Move to temporary accommodation",
        "Housing",
        ("Children's social care", "School", "Health visiting"),
        "The family moved to temporary accommodation in another district.",
        "health and school records did not follow the family",
        "receiving services were told about the move and the plan",
        ("fam_transient", "work_handover", "ls_commissioning"),
    ),
    _EpisodeType(
        "Probation supervision of the mother's partner",
        "Probation",
        ("Police", "Children's social care"),
        "Probation supervised the mother's new partner on licence.",
        "no checks on the children living in the household",
        "home visit made and the risk to the children shared",
        ("fam_hidden_men", "role_single_agency", "ls_info_sharing"),
    ),
    _EpisodeType(
        "Early help assessment",
        "Early help",
        ("School", "Health visiting"),
        "An early help worker assessed the family's needs with the parents.",
        "case closed when the family withdrew consent",
        "lead professional kept the family engaged",
        ("nat_early_help_cuts", "fam_hostile", "fam_engaged"),
    ),
    _EpisodeType(
        "Transfer to a new social worker",
        "Children's social care",
        (),
        "The case was transferred to a new social worker.",
        "no handover visit and the chronology not updated",
        "joint handover visit with the family",
        ("work_turnover", "work_handover", "prac_inexperienced", "work_chronology", "nat_workforce"),
    ),
    _EpisodeType(
        "Supervision of the case",
        "Children's social care",
        ("Health visiting",),
        "The practitioner discussed the case in supervision.",
        "supervision focused on tasks and timescales, not on the child",
        "reflective supervision led to a change of plan",
        ("team_supervision", "work_caseload", "ls_performance", "team_no_challenge", "team_reflective"),
    ),
    _EpisodeType(
        "Home visit by the social worker",
        "Children's social care",
        ("Health visiting", "School"),
        "The social worker visited the home to review the plan.",
        "visit arranged in advance and the child not seen alone",
        "unannounced visit and the child seen alone",
        ("role_announced", "fam_child_unseen", "fam_hostile", "prac_fear", "prac_curiosity"),
    ),
    _EpisodeType(
        "CAMHS referral for the child",
        "CAMHS",
        ("GP practice", "School"),
        "The child was referred to CAMHS because of self-harm and withdrawn behaviour.",
        "referral declined with no alternative offered",
        "child offered an appointment within weeks",
        ("nat_mental_health_access", "ls_commissioning", "team_advice"),
    ),
    _EpisodeType(
        "Multi-agency risk assessment conference",
        "Police",
        ("Children's social care", "Health visiting", "Housing"),
        "The MARAC discussed the mother as a high-risk victim of domestic abuse.",
        "the children's needs not discussed and no action for them",
        "actions agreed for the children as well as the mother",
        ("fam_dv", "ls_meetings_absent", "ls_training"),
    ),
)

_SUMMARY_ENDINGS = {
    "problematic": (
        "The review team judged that the risks to the child were not recognised at the time.",
        "What practitioners did made sense to them at the time, given what they knew and the pressures on them.",
        "Information that would have changed the picture was held by another agency.",
        "The case group described this as typical of how such work is done locally.",
    ),
    "mixed": (
        "Parts of the response were good, but the picture of the child's daily life was not brought together.",
        "The practitioner acted on the immediate concern, but the wider history was not considered.",
        "Good individual practice was not matched by the multi-agency response.",
    ),
    "good": (
        "This was good practice that kept the child's experience in view.",
        "The review team saw this as an example of the system working as intended.",
        "Practitioners were persistent and curious, and shared what they found.",
    ),
    "neutral": (
        "No concerns were identified at the time; the episode is included for the chronology.",
        "The episode is included because it set the context for later events.",
    ),
}
_NEUTRAL_TITLE = "no concerns identified at the time"

_NOTES = (
    "Raised by the case group.",
    "Seen in the agency records and confirmed in conversation.",
    "Described by the practitioner in the one-to-one conversation.",
    "Discussed at the follow-on meeting with the case group.",
    "Review team agreed this was typical, not specific to this case.",
    "Also relevant to the next episode.",
)

_CATEGORY_SUMMARIES = {
    "multi_agency_incidents": "How agencies respond together to incidents and crises, through referrals, strategy "
    "discussions and feedback to the professionals involved, shaped what happened.",
    "multi_agency_longer_term": "The way agencies share assessment and longer-term work left gaps between their "
    "roles, so no one held the whole picture of the child.",
    "human_tool": "The forms, assessment tools and IT systems that practitioners use did not help them see or "
    "share what mattered.",
    "human_management": "Workload, staffing, supervision and performance management shaped what practitioners "
    "could do, and the same conditions apply across the partnership.",
    "family_professional": "The way professionals and the family interacted shaped what professionals saw and "
    "heard, and how far they could keep the child in view.",
    "human_reasoning": "Ordinary human biases in judgement, such as optimism and sticking with a first view, "
    "were not counterbalanced by the system.",
}
_CATEGORY_FALLBACK = {
    "multi_agency_incidents": (
        "Agencies respond to each incident on its own, without bringing together what they know",
        "How can the board be assured that the response to an incident takes account of the whole history?",
    ),
    "multi_agency_longer_term": (
        "Responsibility for longer-term work is spread across agencies, so no one holds the whole picture",
        "How does the board know that someone holds the whole picture for children known to many agencies?",
    ),
    "human_tool": (
        "The tools practitioners use do not help them record or see the pattern of concerns",
        "Will the board review whether its forms and systems help practitioners see patterns of concern?",
    ),
    "human_management": (
        "Management systems give priority to throughput over reflection on the child's experience",
        "What does the board know about the conditions in which practitioners make safeguarding decisions?",
    ),
    "family_professional": (
        "Professionals' relationships with the family shape what they are able to see and ask",
        "How does the board support practitioners working with families who are hard to engage?",
    ),
    "human_reasoning": (
        "Practitioners' first judgements about a family are not routinely tested",
        "What opportunities do practitioners have to test their judgements with others?",
    ),
}

# ======================================================================================
# Public types
# ======================================================================================


@dataclass(frozen=True)
class Plants:
    """What :func:`generate` planted: the truth an analysis should recover.

    Every code of the coding frame is in exactly one of the roles below.

    Attributes
    ----------
    recurring : tuple of str
        Factors with high prevalence spread evenly across all areas, regions and years.
    clusters : tuple of tuple of str
        Groups of factors that co-occur on the same episode far more than chance: each group
        has a latent theme that is switched on for an episode with probability ``cluster_rate``
        and then raises the log-odds of all its members.
    cluster_themes : tuple of str
        A plain-language name for each cluster, in the order of ``clusters``.
    regional : dict of str to str
        Factor code -> the region where it is concentrated.
    rising, falling : tuple of str
        Factors whose prevalence rises or falls with the year of the review.
    sequences : tuple of (str, str)
        Pairs ``(a, b)``: b tends to be coded on episode k+1 when a is coded on episode k of
        the same review.
    null : tuple of str
        Problematic factors with no plant at all: a constant low prevalence, independent of
        everything else. An analysis should find nothing for them.
    supportive : tuple of str
        Factors that supported good practice (polarity ``good``). They are coded mostly on
        episodes without problematic factors, so they are *not* independent of the others;
        treat them as neither planted nor null.
    base_rates : dict of str to float
        Each code's per-episode probability before any plant: for rising and falling
        factors, the probability in the middle year; for supportive factors, the probability
        on an episode with no problematic factor.
    strengths : dict of str to float
        The log-odds shifts used, already multiplied by ``effect``: ``recurring``,
        ``cluster``, ``regional``, ``sequence``, and ``trend`` (the change in log-odds from the
        first to the last year).
    cluster_rate : float
        Probability that a cluster's theme is switched on for an episode.
    """

    recurring: tuple[str, ...]
    clusters: tuple[tuple[str, ...], ...]
    cluster_themes: tuple[str, ...]
    regional: dict[str, str]
    rising: tuple[str, ...]
    falling: tuple[str, ...]
    sequences: tuple[tuple[str, str], ...]
    null: tuple[str, ...]
    supportive: tuple[str, ...]
    base_rates: dict[str, float] = field(repr=False)
    strengths: dict[str, float]
    cluster_rate: float

    @property
    def roles(self) -> dict[str, str]:
        """Code -> its role: ``recurring``, ``cluster``, ``regional``, ``rising``, ``falling``,
        ``sequence``, ``null`` or ``supportive``, in the order of the coding frame."""
        role = dict.fromkeys(self.recurring, "recurring")
        role |= {c: "cluster" for group in self.clusters for c in group}
        role |= dict.fromkeys(self.regional, "regional")
        role |= dict.fromkeys(self.rising, "rising")
        role |= dict.fromkeys(self.falling, "falling")
        role |= {c: "sequence" for pair in self.sequences for c in pair}
        role |= dict.fromkeys(self.null, "null")
        role |= dict.fromkeys(self.supportive, "supportive")
        return {c: role[c] for c in self.base_rates}

    @property
    def planted(self) -> tuple[str, ...]:
        """Every code that carries a plant (neither null nor supportive), in coding-frame order."""
        return tuple(c for c, r in self.roles.items() if r not in ("null", "supportive"))


@dataclass(frozen=True, eq=False)
class SyntheticSet:
    """A generated review set, what was planted in it, and the arguments that made it.

    Attributes
    ----------
    review_set : ReviewSet
        The review set, validated by :func:`sce_analysis.from_frames`.
    planted : Plants
        The truth: which codes carry which plant.
    arguments : dict
        Every argument of :func:`generate` that made the set, so it can be made again.
    """

    review_set: ReviewSet
    planted: Plants
    arguments: dict = field(default_factory=dict)

    def write(self, folder) -> Path:
        """Save the review set into ``folder`` with a ``README.md`` that says what it is.

        The README is generated from the arguments and the plants, so it cannot disagree with
        the data. Writing the same set twice gives byte-identical files.

        Returns
        -------
        Path
            The folder.
        """
        folder = self.review_set.save(folder)
        (folder / "README.md").write_text(_readme(self), encoding="utf-8", newline="\n")
        return folder


#: The exact arguments of the shipped sample in ``data/sample``.
SAMPLE_ARGS: dict = {
    "n_reviews": 80,
    "seed": 2011,
    "n_areas": 16,
    "n_regions": 5,
    "first_year": 2011,
    "last_year": 2025,
    "episodes_per_review": (6, 10),
    "findings_per_review": (3, 6),
    "double_coded_share": 0.1,
    "effect": 1.0,
}


def sample() -> SyntheticSet:
    """Return the shipped sample set: ``generate(**SAMPLE_ARGS)``.

    Examples
    --------
    >>> s = sample()
    >>> s.review_set.reviews["region"].nunique()
    5
    """
    return generate(**SAMPLE_ARGS)


# ======================================================================================
# Parameter checks
# ======================================================================================


def _whole(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ParameterError(f"{name} must be a whole number, not {value!r}.")
    try:
        number = operator.index(value)
    except TypeError:
        raise ParameterError(f"{name} must be a whole number, such as {low}; got {value!r}.") from None
    if not low <= number <= high:
        raise ParameterError(f"{name} must be between {low} and {high}; got {number}.")
    return int(number)


def _real(name: str, value, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{name} must be a number between {low} and {high}; got {value!r}.")
    number = float(value)
    if not (math.isfinite(number) and low <= number <= high):
        raise ParameterError(f"{name} must be a number between {low} and {high}; got {value!r}.")
    return number


def _pair(name: str, value, low: int, high: int) -> tuple[int, int]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise ParameterError(
            f"{name} must be a (fewest, most) pair of whole numbers, such as ({low}, {high}); got {value!r}."
        )
    first = _whole(f"{name}[0]", value[0], low, high)
    last = _whole(f"{name}[1]", value[1], low, high)
    if first > last:
        raise ParameterError(f"{name}: the fewest ({first}) is more than the most ({last}).")
    return first, last


# ======================================================================================
# The generator
# ======================================================================================


def generate(
    n_reviews: int = 80,
    *,
    seed: int = 0,
    n_areas: int = 16,
    n_regions: int = 5,
    first_year: int = 2011,
    last_year: int = 2025,
    episodes_per_review: tuple[int, int] = (6, 10),
    findings_per_review: tuple[int, int] = (3, 6),
    double_coded_share: float = 0.0,
    effect: float = 1.0,
) -> SyntheticSet:
    """Generate a synthetic review set with planted patterns.

    Parameters
    ----------
    n_reviews : int, default 80
        Number of case reviews (1 to 100,000).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``. The same arguments always give the same set.
    n_areas : int, default 16
        Number of local areas. The first 16 have invented place names, later ones are
        ``Area 017`` and so on. Each area belongs to one region. When there are at least as
        many reviews, every area has a review.
    n_regions : int, default 5
        Number of regions (2 or more, at most ``n_areas``). Up to 5 have English region
        names; more are ``Region 01`` and so on.
    first_year, last_year : int, default 2011 and 2025
        Years in which reviews were completed. When there are enough reviews, every year has
        one. Reviews up to 2018 are serious case reviews, later ones local child safeguarding
        practice reviews, with a mix in 2019 and 2020.
    episodes_per_review : (int, int), default (6, 10)
        Fewest and most key practice episodes per review. The number falls geometrically from
        the fewest (most reviews have the fewest or one more), so the mean is about fewest + 0.5.
    findings_per_review : (int, int), default (3, 6)
        Fewest and most findings per review (each in a different SCIE category, so at most 6).
    double_coded_share : float, default 0.0
        Share of reviews coded a second time, independently, by ``reviewer_b``, with about
        20% disagreement at the code level.
    effect : float, default 1.0
        Multiplies every plant's strength; 0 plants nothing, 2 doubles every log-odds shift.

    Returns
    -------
    SyntheticSet
        ``review_set`` (a validated ReviewSet), ``planted`` (the truth) and ``arguments``.

    Raises
    ------
    ParameterError
        When an argument is out of range, with a message that names it.

    Examples
    --------
    >>> s = generate(40, seed=1)
    >>> len(s.review_set.reviews)
    40
    >>> s.planted.recurring
    ('fam_child_unseen', 'work_caseload', 'ls_info_sharing')
    >>> generate(40, seed=1).review_set.equals(s.review_set)
    True
    """
    n_reviews = _whole("n_reviews", n_reviews, 1, 100_000)
    seed = _whole("seed", seed, 0, 2**63 - 1)
    n_regions = _whole("n_regions", n_regions, 2, 99)
    n_areas = _whole("n_areas", n_areas, 1, 999)
    if n_areas < n_regions:
        raise ParameterError(
            f"n_areas ({n_areas}) is less than n_regions ({n_regions}): every region needs at least one area. "
            "Fix: raise n_areas or lower n_regions."
        )
    first_year = _whole("first_year", first_year, 1903, 2099)
    last_year = _whole("last_year", last_year, 1904, 2100)
    if last_year <= first_year:
        raise ParameterError(
            f"last_year ({last_year}) must come after first_year ({first_year}): the rising and falling plants "
            "need at least two years."
        )
    episodes_per_review = _pair("episodes_per_review", episodes_per_review, 2, 99)
    findings_per_review = _pair("findings_per_review", findings_per_review, 1, len(SCIE_CATEGORIES))
    double_coded_share = _real("double_coded_share", double_coded_share, 0.0, 1.0)
    effect = _real("effect", effect, 0.0, 5.0)
    arguments = {
        "n_reviews": n_reviews,
        "seed": seed,
        "n_areas": n_areas,
        "n_regions": n_regions,
        "first_year": first_year,
        "last_year": last_year,
        "episodes_per_review": episodes_per_review,
        "findings_per_review": findings_per_review,
        "double_coded_share": double_coded_share,
        "effect": effect,
    }
    return _Generator(np.random.default_rng(seed), arguments).run()


class _Generator:
    """Builds one set. Every random draw happens in a fixed order, so a seed fixes the result."""

    def __init__(self, rng: np.random.Generator, arguments: dict):
        self.rng = rng
        self.args = arguments
        self.effect = arguments["effect"]

    # ------------------------------------------------------------------ plants

    def _plants(self, regions: np.ndarray) -> Plants:
        roles = [*_RECURRING, *(c for g in _CLUSTERS for c in g), *_REGIONAL, *_RISING, *_FALLING,
                 *(c for p in _SEQUENCES for c in p)]  # fmt: skip
        planted = set(roles)
        chosen = self.rng.permutation(len(regions))[: len(_REGIONAL)]
        return Plants(
            recurring=_in_frame_order(_RECURRING),
            clusters=tuple(_in_frame_order(g) for g in _CLUSTERS),
            cluster_themes=_CLUSTER_THEMES,
            regional={code: str(regions[i]) for code, i in zip(_REGIONAL, chosen, strict=True)},
            rising=_in_frame_order(_RISING),
            falling=_in_frame_order(_FALLING),
            sequences=_SEQUENCES,
            null=tuple(f.code for f in _FACTORS if not f.good and f.code not in planted),
            supportive=tuple(f.code for f in _FACTORS if f.good),
            base_rates={f.code: f.base for f in _FACTORS},
            strengths={k: round(v * self.effect, 6) for k, v in _STRENGTH.items()},
            cluster_rate=_CLUSTER_RATE,
        )

    # ------------------------------------------------------------------ run

    def run(self) -> SyntheticSet:
        args = self.args
        n = args["n_reviews"]
        area_names = _names(args["n_areas"], _AREA_NAMES, "Area {:03d}")
        region_names = (
            np.array(_REGION_NAMES[: args["n_regions"]], dtype=object)
            if args["n_regions"] <= len(_REGION_NAMES)
            else np.array([f"Region {i:02d}" for i in range(1, args["n_regions"] + 1)], dtype=object)
        )
        region_of_area = np.arange(args["n_areas"]) % args["n_regions"]
        plants = self._plants(region_names)

        reviews, review = self._reviews(n, area_names, region_names, region_of_area)
        ep = self._episodes(review)
        x = self._code(review, ep, plants, region_names)
        ep["appraisal"] = _appraise(x)
        self._describe_episodes(ep, x)
        episodes = self._episode_frame(review, ep)
        factors, first = self._factor_frame(review, ep, x)
        findings = self._findings(review, ep, first)
        taxonomy = _taxonomy_frame()
        review_set = from_frames(reviews, episodes, factors, findings, taxonomy)
        return SyntheticSet(review_set=review_set, planted=plants, arguments=dict(args))

    # ------------------------------------------------------------------ reviews

    def _reviews(self, n, area_names, region_names, region_of_area):
        rng, args = self.rng, self.args
        first_year, last_year = args["first_year"], args["last_year"]
        years_span = last_year - first_year + 1
        area_weight = rng.gamma(8.0, size=len(area_names))
        area = _covering(rng, n, len(area_names), area_weight / area_weight.sum())
        year = first_year + _covering(rng, n, years_span, np.full(years_span, 1.0 / years_span))
        # Order the reviews by year, then at random, and number them in that order.
        order = np.lexsort((rng.random(n), year))
        area, year = area[order], year[order]
        # Review type: serious case reviews were replaced by LCSPRs from autumn 2019.
        share_scr = np.select([year <= 2018, year == 2019, year == 2020], [1.0, 0.6, 0.2], 0.0)
        scr = rng.random(n) < share_scr
        review_type = np.where(scr, "Serious case review", "Local child safeguarding practice review").astype(object)
        letter = rng.integers(0, len(_LETTERS) - 1, size=n)
        form = rng.choice(3, size=n, p=[0.7, 0.15, 0.15])
        letters = np.array(_LETTERS, dtype=object)
        who = np.select(
            [form == 0, form == 1],
            ["Child " + letters[letter], "Baby " + letters[letter]],
            "Children " + letters[letter] + " and " + letters[letter + 1],
        )
        width = max(4, len(str(n)))
        ids = pd.Series(np.arange(1, n + 1)).astype("str").str.zfill(width)
        review_ids = ("R" + ids).to_numpy(dtype=object)
        region = region_of_area[area]
        frame = pd.DataFrame(
            {
                "review_id": review_ids,
                "area": area_names[area],
                "year": year,
                "region": region_names[region],
                "review_type": review_type,
                "method": "SCIE Learning Together",
                "title": who + ": " + np.where(scr, "serious case review", "local child safeguarding practice review"),
                # An extra column (allowed by the contract): charts stamp "synthetic data" from it.
                "data_origin": "synthetic",
            }
        )
        return frame, {"id": review_ids, "area": area, "region": region, "year": year}

    # ------------------------------------------------------------------ episodes

    def _episodes(self, review):
        rng, args = self.rng, self.args
        n = len(review["id"])
        fewest, most = args["episodes_per_review"]
        weights = 0.35 ** np.arange(most - fewest + 1)
        k = fewest + rng.choice(len(weights), size=n, p=weights / weights.sum())
        of = np.repeat(np.arange(n), k)  # review index of each episode
        start = np.cumsum(k) - k
        sequence = np.arange(len(of)) - start[of] + 1
        # Dates: the chronology covers the 1 to 3 years before the review was completed.
        span = rng.choice([1, 2, 3], size=n, p=[0.3, 0.45, 0.25])
        year = review["year"]
        window_start = (year - span - 1970).astype("datetime64[Y]").astype("datetime64[D]")
        window_end = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]") - np.timedelta64(1, "D")
        days = (window_end - window_start).astype(int)
        offset = np.floor(rng.random(len(of)) * days[of]).astype(int)
        offset = offset[np.lexsort((offset, of))]  # chronological within each review
        m = len(of)
        instant = rng.random(m) < 0.55  # a single contact; otherwise days, or months for an assessment
        short = rng.random(m) < 0.8
        duration = np.where(instant, 0, np.where(short, rng.integers(1, 60, m), rng.integers(60, 300, m)))
        begin = window_start[of] + offset.astype("timedelta64[D]")
        end = np.minimum(begin + duration.astype("timedelta64[D]"), window_end[of])
        return {"of": of, "k": k, "start": start, "sequence": sequence, "begin": begin, "end": end}

    def _code(self, review, ep, plants: Plants, region_names) -> np.ndarray:
        """The episodes x factors presence matrix of the first coder."""
        rng = self.rng
        of = ep["of"]
        n_ep = len(of)
        strength = plants.strengths
        bad = np.array([not f.good for f in _FACTORS])
        base = np.array([f.base for f in _FACTORS])
        logit = np.broadcast_to(np.log(base / (1 - base)), (n_ep, len(_FACTORS))).copy()
        column = {code: j for j, code in enumerate(_CODES)}

        for code in plants.recurring:
            logit[:, column[code]] += strength["recurring"]
        region_name = region_names[review["region"]][of]
        for code, region in plants.regional.items():
            logit[:, column[code]] += strength["regional"] * (region_name == region)
        first_year, last_year = self.args["first_year"], self.args["last_year"]
        centred = (review["year"][of] - (first_year + last_year) / 2) / (last_year - first_year)
        for sign, codes in ((1.0, plants.rising), (-1.0, plants.falling)):
            for code in codes:
                logit[:, column[code]] += sign * strength["trend"] * centred
        theme_on = rng.random((n_ep, len(plants.clusters))) < plants.cluster_rate
        for t, group in enumerate(plants.clusters):
            for code in group:
                logit[:, column[code]] += strength["cluster"] * theme_on[:, t]

        # Problematic factors first; b of a sequence depends on a in the review's previous episode.
        u = rng.random((n_ep, len(_FACTORS)))
        x = np.zeros((n_ep, len(_FACTORS)), dtype=bool)
        later = [column[b] for _, b in plants.sequences]
        now = bad.copy()
        now[later] = False
        x[:, now] = u[:, now] < _expit(logit[:, now])
        has_previous = ep["sequence"] > 1
        for a, b in plants.sequences:
            previous = np.zeros(n_ep, dtype=bool)
            previous[1:] = x[:-1, column[a]]
            lifted = logit[:, column[b]] + strength["sequence"] * (previous & has_previous)
            x[:, column[b]] = u[:, column[b]] < _expit(lifted)
        # Good-practice factors are coded mostly where no problematic factor is.
        clean = ~x[:, bad].any(axis=1)
        good_p = base[~bad][None, :] * np.where(clean, _GOOD_WHEN_CLEAN, _GOOD_WHEN_NOT)[:, None]
        x[:, ~bad] = u[:, ~bad] < good_p
        return x

    def _describe_episodes(self, ep, x):
        """Kind of episode (from its factors), agencies, title and summary."""
        rng = self.rng
        n_ep = x.shape[0]
        column = {code: j for j, code in enumerate(_CODES)}
        affinity = np.zeros((len(_CODES), len(_EPISODE_TYPES)))
        for t, kind in enumerate(_EPISODE_TYPES):
            affinity[[column[c] for c in kind.codes], t] = 1.0
        score = x @ affinity * 1.6 + rng.gumbel(size=(n_ep, len(_EPISODE_TYPES)))
        kind = score.argmax(axis=1)
        primary = np.array([_AGENCY_INDEX[k.primary] for k in _EPISODE_TYPES])[kind]
        candidates = np.zeros((len(_EPISODE_TYPES), len(_AGENCIES)), dtype=bool)
        for t, k in enumerate(_EPISODE_TYPES):
            candidates[t, [_AGENCY_INDEX[a] for a in k.others]] = True
        involved = candidates[kind] & (rng.random((n_ep, len(_AGENCIES))) < 0.45)
        involved[np.arange(n_ep), primary] = True
        ep["kind"], ep["primary"], ep["involved"] = kind, primary, involved

    def _episode_frame(self, review, ep):
        rng = self.rng
        of, kind, appraisal, primary, involved = ep["of"], ep["kind"], ep["appraisal"], ep["primary"], ep["involved"]
        n_ep = len(of)
        agencies = np.array(_AGENCIES, dtype=object)[primary]
        others = involved.copy()
        others[np.arange(n_ep), primary] = False
        for j, name in enumerate(_AGENCIES):  # a loop over the 13 agencies, not over rows
            agencies = agencies + np.where(others[:, j], ";" + name, "")
        stems = np.array([k.stem for k in _EPISODE_TYPES], dtype=object)[kind]
        bad = np.array([k.bad for k in _EPISODE_TYPES], dtype=object)[kind]
        good = np.array([k.good for k in _EPISODE_TYPES], dtype=object)[kind]
        outcome = np.select(
            [appraisal == "good", appraisal == "neutral"], [good, np.full(n_ep, _NEUTRAL_TITLE, dtype=object)], bad
        )
        ending = np.empty(n_ep, dtype=object)
        pick = rng.random(n_ep)
        for name, pool in _SUMMARY_ENDINGS.items():
            where = appraisal == name
            ending[where] = np.array(pool, dtype=object)[(pick[where] * len(pool)).astype(int)]
        event = np.array([k.event for k in _EPISODE_TYPES], dtype=object)[kind]
        sequence = ep["sequence"]
        return pd.DataFrame(
            {
                "review_id": review["id"][of],
                "episode_id": "KPE" + sequence.astype(str).astype(object),
                "sequence": sequence,
                "start_date": ep["begin"].astype(str),
                "end_date": ep["end"].astype(str),
                "appraisal": appraisal,
                "agencies": agencies,
                "title": stems + ": " + outcome,
                "summary": event + " " + ending,
            }
        )

    # ------------------------------------------------------------------ factors

    def _factor_frame(self, review, ep, x):
        rng = self.rng
        rows_ep, rows_f = np.nonzero(x)
        rows_coder = np.zeros(len(rows_ep), dtype=int)
        share = self.args["double_coded_share"]
        n = len(review["id"])
        n_double = int(round(share * n))
        if n_double:
            double = np.zeros(n, dtype=bool)
            double[rng.choice(n, size=n_double, replace=False)] = True
            b_ep, b_f = self._second_coder(ep, x, double)
            rows_ep = np.concatenate([rows_ep, b_ep])
            rows_f = np.concatenate([rows_f, b_f])
            rows_coder = np.concatenate([rows_coder, np.ones(len(b_ep), dtype=int)])
        order = np.lexsort((rows_f, rows_coder, rows_ep))
        rows_ep, rows_f, rows_coder = rows_ep[order], rows_f[order], rows_coder[order]
        m = len(rows_ep)
        # The agency a factor concerns: mostly the episode's lead agency, else any agency involved.
        involved = ep["involved"][rows_ep]
        any_agency = np.argmax(np.where(involved, rng.random(involved.shape), -1.0), axis=1)
        agency = np.where(rng.random(m) < 0.6, ep["primary"][rows_ep], any_agency)
        noted = rng.random(m) < 0.15
        note = np.where(noted, np.array(_NOTES, dtype=object)[rng.integers(0, len(_NOTES), m)], "")
        good = np.array([f.good for f in _FACTORS])
        frame = pd.DataFrame(
            {
                "review_id": review["id"][ep["of"][rows_ep]],
                "episode_id": "KPE" + ep["sequence"][rows_ep].astype(str).astype(object),
                "factor_code": np.array(_CODES, dtype=object)[rows_f],
                "polarity": np.where(good[rows_f], "good", "problematic"),
                "agency": np.array(_AGENCIES, dtype=object)[agency],
                "coder": np.array(["reviewer_a", "reviewer_b"], dtype=object)[rows_coder],
                "note": note,
            }
        )
        first = rows_coder == 0
        return frame, {"ep": rows_ep[first], "f": rows_f[first]}

    def _second_coder(self, ep, x, double):
        """An independent second coding of some reviews: ~20% disagreement, mostly near misses."""
        rng = self.rng
        on = double[ep["of"]]
        a_ep, a_f = np.nonzero(x & on[:, None])
        u = rng.random(len(a_ep))
        # A near miss swaps the code for another code of the same factor type.
        types = np.array([f.factor_type for f in _FACTORS], dtype=object)
        same_type = (types[:, None] == types[None, :]) & ~np.eye(len(_FACTORS), dtype=bool)
        choice = np.argmax(np.where(same_type[a_f], rng.random((len(a_f), len(_FACTORS))), -1.0), axis=1)
        b_f = np.where(u < 0.10, choice, a_f)
        keep = u >= 0.16  # 10% swapped (kept as the swap), 6% dropped
        keep |= u < 0.10
        b_ep, b_f = a_ep[keep], b_f[keep]
        # Some codes the first coder did not use at all.
        episodes = np.flatnonzero(on)
        extra = episodes[rng.random(len(episodes)) < 0.15]
        extra_f = rng.integers(0, len(_FACTORS), len(extra))
        b_ep = np.concatenate([b_ep, extra])
        b_f = np.concatenate([b_f, extra_f])
        unique = np.unique(b_ep * len(_FACTORS) + b_f)
        return unique // len(_FACTORS), unique % len(_FACTORS)

    # ------------------------------------------------------------------ findings

    def _findings(self, review, ep, first):
        rng, args = self.rng, self.args
        n = len(review["id"])
        category_index = {c: i for i, c in enumerate(SCIE_CATEGORIES)}
        factor_category = np.array([category_index[f.category] for f in _FACTORS])
        good = np.array([f.good for f in _FACTORS])
        problem = ~good[first["f"]]
        c_ep, c_f = first["ep"][problem], first["f"][problem]
        c_rev, c_cat = ep["of"][c_ep], factor_category[c_f]
        counts = np.bincount(c_rev * 6 + c_cat, minlength=n * 6).reshape(n, 6)
        fewest, most = args["findings_per_review"]
        m = rng.integers(fewest, most + 1, size=n)
        keys = np.log(counts + 0.3) + rng.gumbel(size=(n, 6))
        ranked = np.argsort(-keys, axis=1, kind="stable")
        rank = np.broadcast_to(np.arange(6), (n, 6))
        chosen = rank < m[:, None]
        f_rev = np.repeat(np.arange(n), 6).reshape(n, 6)[chosen]
        f_cat = ranked[chosen]
        f_rank = rank[chosen]
        n_find = len(f_rev)
        finding = pd.DataFrame({"finding": np.arange(n_find), "rev": f_rev, "cat": f_cat})

        # Episodes and factors behind each finding: its category's codes coded in the review.
        links = pd.DataFrame({"rev": c_rev, "cat": c_cat, "ep": c_ep, "f": c_f}).merge(finding, on=["rev", "cat"])
        per_episode = links.groupby(["finding", "ep"], sort=True).size().rename("n").reset_index()
        per_episode = per_episode.sort_values(["finding", "n", "ep"], ascending=[True, False, True], kind="stable")
        per_episode = per_episode[per_episode.groupby("finding").cumcount() < 3]
        links = links.merge(per_episode[["finding", "ep"]], on=["finding", "ep"])
        per_code = links.groupby(["finding", "f"], sort=True).size().rename("n").reset_index()
        per_code = per_code.sort_values(["finding", "n", "f"], ascending=[True, False, True], kind="stable")
        top_code = per_code.drop_duplicates("finding").set_index("finding")["f"]
        per_code = per_code[per_code.groupby("finding").cumcount() < 4].sort_values(["finding", "f"])
        cited = per_episode.sort_values(["finding", "ep"])
        ep_ids = "KPE" + ep["sequence"][cited["ep"].to_numpy()].astype(str).astype(object)
        episode_lists = _join(cited["finding"].to_numpy(), ep_ids, ";")
        codes = np.array(_CODES, dtype=object)
        labels = np.array([_lower_first(f.label) for f in _FACTORS], dtype=object)
        code_lists = _join(per_code["finding"].to_numpy(), codes[per_code["f"].to_numpy()], ";")
        label_lists = _join(per_code["finding"].to_numpy(), labels[per_code["f"].to_numpy()], "; ")

        # A finding with no factor of its category cites one or two of the review's episodes.
        uncited = np.setdiff1d(np.arange(n_find), episode_lists.index.to_numpy())
        if len(uncited):
            rev = f_rev[uncited]
            k = ep["k"][rev]
            first_pick = rng.integers(0, k)
            second_pick = (first_pick + 1 + rng.integers(0, k - 1)) % k
            two = rng.random(len(uncited)) < 0.5
            low, high = np.minimum(first_pick, second_pick), np.maximum(first_pick, second_pick)
            text = np.where(
                two,
                "KPE" + (low + 1).astype(str).astype(object) + ";KPE" + (high + 1).astype(str).astype(object),
                "KPE" + (first_pick + 1).astype(str).astype(object),
            )
            episode_lists = pd.concat([episode_lists, pd.Series(text, index=uncited)]).sort_index()
        episode_lists = episode_lists.reindex(np.arange(n_find))
        n_cited = episode_lists.str.count(";").to_numpy() + 1

        cats = np.array(SCIE_CATEGORIES, dtype=object)[f_cat]
        factor_titles = np.array([f.finding for f in _FACTORS], dtype=object)
        factor_questions = np.array([f.question for f in _FACTORS], dtype=object)
        fallback_title = np.array([_CATEGORY_FALLBACK[c][0] for c in SCIE_CATEGORIES], dtype=object)[f_cat]
        fallback_question = np.array([_CATEGORY_FALLBACK[c][1] for c in SCIE_CATEGORIES], dtype=object)[f_cat]
        top = top_code.reindex(np.arange(n_find))
        has_top = top.notna().to_numpy()
        top_index = top.fillna(0).astype(int).to_numpy()
        title = np.where(has_top, factor_titles[top_index], fallback_title)
        question = np.where(has_top, factor_questions[top_index], fallback_question)
        category_text = np.array([_CATEGORY_SUMMARIES[c] for c in SCIE_CATEGORIES], dtype=object)[f_cat]
        plural = np.where(n_cited == 1, " key practice episode", " key practice episodes")
        seen = "In this case it was seen in " + n_cited.astype(str).astype(object) + plural + "."
        labels_text = label_lists.reindex(np.arange(n_find))
        factors_text = np.where(
            labels_text.notna().to_numpy(), " Contributory factors: " + labels_text.fillna("").to_numpy() + ".", ""
        )
        return pd.DataFrame(
            {
                "review_id": review["id"][f_rev],
                "finding_id": "F" + (f_rank + 1).astype(str).astype(object),
                "category": cats,
                "title": title,
                "summary": category_text + " " + seen + factors_text,
                "episode_ids": episode_lists.to_numpy(),
                "factor_codes": code_lists.reindex(np.arange(n_find)).fillna("").to_numpy(),
                "issues_for_board": question,
            }
        )


# ======================================================================================
# Helpers
# ======================================================================================


def _join(groups: np.ndarray, items: np.ndarray, separator: str) -> pd.Series:
    """Join ``items`` (strings, sorted by ``groups``) into one string per group, without a row loop."""
    if len(groups) == 0:
        return pd.Series([], dtype=object)
    last = np.r_[groups[1:] != groups[:-1], True]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    pieces = items + np.where(last, "", separator).astype(object)
    return pd.Series(np.add.reduceat(pieces, starts), index=groups[starts])


def _expit(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-values))


def _in_frame_order(codes) -> tuple[str, ...]:
    wanted = set(codes)
    return tuple(c for c in _CODES if c in wanted)


def _names(n: int, names: tuple[str, ...], pattern: str) -> np.ndarray:
    return np.array([*names[:n], *(pattern.format(i) for i in range(len(names) + 1, n + 1))], dtype=object)


def _covering(rng: np.random.Generator, n: int, k: int, p: np.ndarray) -> np.ndarray:
    """n draws from 0..k-1 with probabilities p, covering every value once when n >= k."""
    covered = rng.permutation(k)[: min(n, k)]
    rest = rng.choice(k, size=n - len(covered), p=p)
    return rng.permutation(np.concatenate([covered, rest]))


def _appraise(x: np.ndarray) -> np.ndarray:
    """The appraisal of each episode follows from the polarity of its factors."""
    good = np.array([f.good for f in _FACTORS])
    n_bad, n_good = x[:, ~good].sum(axis=1), x[:, good].sum(axis=1)
    return np.select(
        [(n_bad == 0) & (n_good > 0), (n_bad > 0) & (n_good > 0), n_bad > 0],
        ["good", "mixed", "problematic"],
        "neutral",
    ).astype(object)


def _lower_first(label: str) -> str:
    """'High caseloads' -> 'high caseloads', but 'IT systems …' and 'CAMHS …' keep their capitals."""
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _taxonomy_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "factor_code": [f.code for f in _FACTORS],
            "label": [f.label for f in _FACTORS],
            "level": [f.level for f in _FACTORS],
            "factor_type": [f.factor_type for f in _FACTORS],
            "scie_category": [f.category for f in _FACTORS],
            "parent_code": [f.parent for f in _FACTORS],
            "description": [f.description for f in _FACTORS],
        }
    )


# ======================================================================================
# README
# ======================================================================================


def _call(arguments: dict) -> str:
    inside = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    return f"sce_analysis.synthetic.generate({inside})"


def _odds(shift: float) -> str:
    return f"{shift:+.2f} (odds ratio {math.exp(shift):.1f})"


def _readme(synthetic: SyntheticSet) -> str:
    """The markdown README of a synthetic set, made from its arguments, plants and counts."""
    rs, plants, args = synthetic.review_set, synthetic.planted, synthetic.arguments
    summary = rs.summary()
    counts = dict(zip(summary["measure"], summary["count"], strict=True))
    label = dict(zip(rs.taxonomy["factor_code"], rs.taxonomy["label"], strict=True))
    s = plants.strengths

    def code(c: str) -> str:
        return f"`{c}` ({label[c]})"

    areas = rs.reviews.groupby(["region", "area"], sort=True).size().rename("reviews").reset_index()
    area_lines = [
        f"| {region} | {', '.join(f'{a} ({r})' for a, r in zip(g['area'], g['reviews'], strict=True))} |"
        for region, g in areas.groupby("region", sort=True)
    ]
    first_coder = rs.codings()
    is_sample = args == SAMPLE_ARGS
    lines = [
        "# Synthetic review set" + (": the shipped sample" if is_sample else ""),
        "",
        "This folder is a review set in the format of `shared/data-contract.md`: the coded output of case reviews "
        "done with the SCIE Learning Together systems model. **It is entirely synthetic.** It was made by",
        "",
        "```python",
        _call(args),
        "```",
        "",
        "No real person's data is in it: the areas, children, episodes and findings are invented, and any "
        "resemblance to a real review is a coincidence. The generator plants known patterns in it (listed below), "
        "so the analyses can be checked against the truth. Do not edit these files by hand: "
        + (
            "this is the sample that ships with sce_analysis (`sce_analysis.synthetic.sample()`). Regenerate it "
            "with `python -m sce_analysis.synthetic data/sample`, whose defaults make it; a test checks that the "
            "files match the generator byte for byte."
            if is_sample
            else "regenerate them with the call above."
        ),
        "",
        "## Size",
        "",
        "| measure | count |",
        "|---|---|",
        f"| reviews | {counts['reviews']:,} |",
        f"| areas (local safeguarding partnerships) | {counts['areas']:,} |",
        f"| regions | {counts['regions']:,} |",
        f"| years of completion | {counts['first_year']}–{counts['last_year']} ({counts['years']} years) |",
        f"| key practice episodes (KPEs) | {counts['episodes']:,} "
        f"({counts['episodes'] / max(counts['reviews'], 1):.1f} per review) |",
        f"| coded factors, all coders | {counts['coded_factors']:,} |",
        f"| coded factors, first coder | {len(first_coder):,} "
        f"({len(first_coder) / max(counts['episodes'], 1):.2f} per KPE) |",
        f"| findings | {counts['findings']:,} in {counts['finding_categories']} of 6 SCIE categories |",
        f"| codes in the coding frame | {counts['taxonomy_codes']} ({counts['factor_codes_used']} used) |",
        f"| coders | {counts['coders']} |",
        "",
        "## Files",
        "",
        "| file | one row per | notes |",
        "|---|---|---|",
        f"| `reviews.csv` | case review ({len(rs.reviews):,}) | `review_id` R0001…; invented area names; "
        "`review_type` is *Serious case review* up to 2018 and *Local child safeguarding practice review* from "
        "2019, with a mix in 2019–20; `title` names an invented child letter; the extra column `data_origin` is "
        "`synthetic` on every row, so charts and reports made from the set say they stand on synthetic data. |",
        f"| `episodes.csv` | key practice episode ({len(rs.episodes):,}) | `KPE1`…`KPEk` in chronological "
        "order (`sequence` 1…k); dates fall in the 1–3 years before the review; `appraisal` follows from the "
        "polarity of the episode's factors (good, problematic, mixed, or neutral when none was coded); "
        "`title` and `summary` are templated text. |",
        f"| `factors.csv` | contributory factor coded on a KPE ({len(rs.factors):,}) | `polarity` is `good` for "
        "the factors that supported good practice; `agency` is one of the episode's agencies; `coder` is "
        "`reviewer_a`, and `reviewer_b` for the double-coded reviews. |",
        f"| `findings.csv` | finding ({len(rs.findings):,}) | each in a different SCIE category within its "
        "review; `episode_ids` and `factor_codes` cite the review's episodes and factors of that category where "
        "there are any; `issues_for_board` is a question to the board, as in SCIE reviews. |",
        f"| `taxonomy.csv` | code of the coding frame ({len(rs.taxonomy)}) | labels in the language of SCIE "
        "Guide 24; `level` frontline, local_strategic or national; a few codes have a `parent_code`. |",
        "",
        "## Areas and regions (reviews per area)",
        "",
        "| region | areas |",
        "|---|---|",
        *area_lines,
        "",
        "## What is planted",
        "",
        "Each factor is coded on a KPE with a probability from a logistic model: the factor's base log-odds "
        "plus the shifts below, each multiplied by `effect` "
        f"(here {args['effect']:g}). Every code has exactly one role. Shifts are on the log-odds scale.",
        "",
        f"**Recurring** (high prevalence in every area, region and year; shift {_odds(s['recurring'])}):",
        "",
        *(f"- {code(c)}" for c in plants.recurring),
        "",
        f"**Clusters** (a latent theme is switched on for an episode with probability {plants.cluster_rate:g} "
        f"and raises all its members by {_odds(s['cluster'])}; members co-occur on the same KPE):",
        "",
        *(
            f"- {theme}: {', '.join(code(c) for c in group)}"
            for theme, group in zip(plants.cluster_themes, plants.clusters, strict=True)
        ),
        "",
        f"**Regional** (concentrated in one region; shift {_odds(s['regional'])} there):",
        "",
        *(f"- {code(c)}: {region}" for c, region in plants.regional.items()),
        "",
        f"**Rising and falling** (log-odds change linearly with the year, by {s['trend']:.2f} in all from "
        f"{args['first_year']} to {args['last_year']}, up for rising and down for falling codes, centred on the "
        "middle year):",
        "",
        *(f"- rising: {code(c)}" for c in plants.rising),
        *(f"- falling: {code(c)}" for c in plants.falling),
        "",
        f"**Sequences** (b is more likely on the KPE after one that carries a, in the same review; shift "
        f"{_odds(s['sequence'])}):",
        "",
        *(f"- {code(a)} → {code(b)}" for a, b in plants.sequences),
        "",
        "**Null** (no plant: a constant low probability per KPE, independent of everything else; an analysis "
        "should find nothing for them):",
        "",
        ", ".join(f"`{c}`" for c in plants.null),
        "",
        "**Supportive** (polarity `good`: coded mostly on KPEs without problematic factors, so neither planted "
        "nor independent):",
        "",
        ", ".join(f"`{c}`" for c in plants.supportive),
        "",
        "## Base rates",
        "",
        "Per-KPE probability of each code before any plant: for rising and falling codes, in the middle year; "
        f"for supportive codes, on a KPE with no problematic factor (on other KPEs it is {_GOOD_WHEN_NOT:g} times "
        "this).",
        "",
        "| code | label | level | role | base rate |",
        "|---|---|---|---|---|",
        *(
            f"| `{c}` | {label[c]} | {_FACTOR_OF[c].level} | {role} | {plants.base_rates[c]:.3f} |"
            for c, role in plants.roles.items()
        ),
        "",
    ]
    if args["double_coded_share"] > 0:
        double = rs.factors.loc[rs.factors["coder"] == "reviewer_b", "review_id"].nunique()
        lines[lines.index("## What is planted") : lines.index("## What is planted")] = [
            "## Double coding",
            "",
            f"{double} reviews (share {args['double_coded_share']:g}) were also coded independently by "
            "`reviewer_b` on the same episodes. About 10% of the first coder's codes are swapped for another code "
            "of the same factor type, 6% are dropped, and some episodes get one extra code, so code-level "
            "agreement is about 80%. The analyses use `reviewer_a`, the first coder.",
            "",
        ]
    return "\n".join(lines)


# ======================================================================================
# Command line
# ======================================================================================


def main(argv: list[str] | None = None) -> int:
    """Write a synthetic review set: ``python -m sce_analysis.synthetic OUT_FOLDER [options]``.

    Options default to :data:`SAMPLE_ARGS`, so with none the command remakes the shipped sample.
    Returns the exit status: 0 on success, 2 for a bad parameter.
    """
    parser = argparse.ArgumentParser(
        prog="python -m sce_analysis.synthetic",
        description="Write a synthetic review set with planted patterns, and a README that says what is planted. "
        "With no options it makes the shipped sample (data/sample).",
    )
    parser.add_argument("folder", metavar="OUT_FOLDER", help="folder to write the CSV files and README.md into")
    parser.add_argument("--reviews", type=int, default=SAMPLE_ARGS["n_reviews"], help="number of reviews")
    parser.add_argument("--seed", type=int, default=SAMPLE_ARGS["seed"], help="random seed")
    parser.add_argument("--areas", type=int, default=SAMPLE_ARGS["n_areas"], help="number of areas")
    parser.add_argument("--regions", type=int, default=SAMPLE_ARGS["n_regions"], help="number of regions")
    parser.add_argument("--first-year", type=int, default=SAMPLE_ARGS["first_year"], help="first year of completion")
    parser.add_argument("--last-year", type=int, default=SAMPLE_ARGS["last_year"], help="last year of completion")
    parser.add_argument(
        "--double-coded", type=float, default=SAMPLE_ARGS["double_coded_share"],
        help="share of reviews coded a second time by reviewer_b",
    )  # fmt: skip
    parser.add_argument("--effect", type=float, default=SAMPLE_ARGS["effect"], help="strength of every plant")
    options = parser.parse_args(argv)
    arguments = {
        **SAMPLE_ARGS,
        "n_reviews": options.reviews,
        "seed": options.seed,
        "n_areas": options.areas,
        "n_regions": options.regions,
        "first_year": options.first_year,
        "last_year": options.last_year,
        "double_coded_share": options.double_coded,
        "effect": options.effect,
    }
    try:
        synthetic = generate(**arguments)
        folder = synthetic.write(options.folder)
    except SceAnalysisError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {synthetic.review_set!r} to {folder}")
    return 0
