import type {
  CampaignDetailDto,
  CampaignDto,
  CreateCampaignInput,
  CreateRoundInput,
  CreateThemeInput,
  HouseholdCodeDto,
  IdeaDto,
  IdeaReceiptDto,
  MoveIdeasBody,
  PaperIdeasInput,
  PublicCampaignDto,
  PublicRoundDto,
  RoundAnswerInput,
  RoundDto,
  RoundResultDto,
  RoundStatus,
  SubmitIdeaInput,
  ThemeStatus,
  UnitInput,
  UnitRegisterDto,
} from '@yishi/model';
import { createApi } from '$lib/api';

const at = (id: string) => encodeURIComponent(id);

/** The public board's section of idea themes. */
export interface PublicCampaignsDto {
  campaigns: {
    code: string;
    title: string;
    open: boolean;
    themes: { id: string; title: string; category: string | null; ideas: number; status: ThemeStatus }[];
  }[];
}

/** A typed client for idea campaigns, ranking rounds and the unit register. */
export function createIdeasApi(fetchFn: typeof fetch = fetch) {
  const { request } = createApi(fetchFn);
  return {
    campaigns: (communityId: string) => request<CampaignDto[]>('GET', `/communities/${at(communityId)}/campaigns`),
    createCampaign: (communityId: string, body: CreateCampaignInput) =>
      request<{ id: string; code: string; url: string }>('POST', `/communities/${at(communityId)}/campaigns`, body),
    campaign: (id: string) => request<CampaignDetailDto>('GET', `/campaigns/${at(id)}`),
    updateCampaign: (id: string, body: { title?: string; closesAt?: string | null }) =>
      request<CampaignDetailDto>('PATCH', `/campaigns/${at(id)}`, body),
    ideas: (id: string) => request<IdeaDto[]>('GET', `/campaigns/${at(id)}/ideas`),
    addPaper: (id: string, body: PaperIdeasInput) =>
      request<{ ideas: { id: string; receipt: string }[] }>('POST', `/campaigns/${at(id)}/ideas`, body),
    createTheme: (id: string, body: CreateThemeInput) =>
      request<{ id: string; moveId: string | null }>('POST', `/campaigns/${at(id)}/themes`, body),
    updateTheme: (id: string, body: { title?: string; category?: string | null }) => request<{ id: string }>('PATCH', `/themes/${at(id)}`, body),
    move: (id: string, body: MoveIdeasBody) => request<{ moveId: string }>('POST', `/campaigns/${at(id)}/moves`, body),
    undo: (moveId: string) => request<{ moveId: string }>('POST', `/moves/${at(moveId)}/undo`),
    toAgenda: (id: string, body: { meetingId: string; themeIds: string[] }) =>
      request<{ items: { themeId: string; agendaItemId: string }[] }>('POST', `/campaigns/${at(id)}/agenda`, body),
    createRound: (id: string, body: CreateRoundInput) => request<RoundDto>('POST', `/campaigns/${at(id)}/rounds`, body),
    updateRound: (id: string, status: RoundStatus) => request<RoundDto>('PATCH', `/rounds/${at(id)}`, { status }),
    result: (id: string) => request<RoundResultDto>('GET', `/rounds/${at(id)}/result`),
    codes: (id: string) => request<HouseholdCodeDto[]>('GET', `/rounds/${at(id)}/codes`),
    generateCodes: (id: string) => request<HouseholdCodeDto[]>('POST', `/rounds/${at(id)}/codes`),
    paperAnswer: (id: string, body: RoundAnswerInput & { collectedBy: string }) =>
      request<{ ok: true; replaced: boolean }>('POST', `/rounds/${at(id)}/answers`, body),
    units: (communityId: string) => request<UnitRegisterDto>('GET', `/communities/${at(communityId)}/units`),
    putUnits: (communityId: string, units: UnitInput[]) =>
      request<{ units: number; totalArea: number; heads: number }>('PUT', `/communities/${at(communityId)}/units`, { units }),
    putUnitsCsv: (communityId: string, csv: string) =>
      request<{ units: number; totalArea: number; heads: number }>('PUT', `/communities/${at(communityId)}/units`, csv, 'text/csv; charset=utf-8'),

    publicCampaign: (code: string) => request<PublicCampaignDto>('GET', `/public/campaigns/${at(code)}`),
    submit: (code: string, body: SubmitIdeaInput) => request<{ id: string; receipt: string }>('POST', `/public/campaigns/${at(code)}/ideas`, body),
    uploadPhoto: (receipt: string, photo: Blob) =>
      request<{ ok: true; bytes: number }>('POST', `/public/ideas/${at(receipt)}/photo`, photo, photo.type || 'image/jpeg'),
    receipt: (receipt: string) => request<IdeaReceiptDto>('GET', `/public/ideas/${at(receipt)}`),
    publicRound: (id: string) => request<PublicRoundDto>('GET', `/public/rounds/${at(id)}`),
    answer: (id: string, body: RoundAnswerInput) => request<{ ok: true; replaced: boolean }>('POST', `/public/rounds/${at(id)}/answers`, body),
    communityCampaigns: (communityId: string) => request<PublicCampaignsDto>('GET', `/public/communities/${at(communityId)}/campaigns`),
  };
}

/** The client for components (browser fetch). */
export const ideasApi = createIdeasApi();
